"""QR codes for pages (SVG) and images (PNG). No Flask here."""

from __future__ import annotations

import io

import qrcode
import qrcode.image.svg
from qrcode.constants import ERROR_CORRECT_M


def qr_svg(data: str) -> bytes:
    """A crisp, scalable QR code as an SVG document (one path)."""
    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=4,
                       image_factory=qrcode.image.svg.SvgPathImage)
    qr.add_data(data)
    qr.make(fit=True)
    buffer = io.BytesIO()
    qr.make_image().save(buffer)
    return buffer.getvalue()


def qr_png(data: str, box_size: int = 8) -> bytes:
    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=4, box_size=box_size)
    qr.add_data(data)
    qr.make(fit=True)
    buffer = io.BytesIO()
    qr.make_image().save(buffer, format="PNG")
    return buffer.getvalue()
