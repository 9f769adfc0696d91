"""QR codes: an SVG for pages and a 1-bit PNG for images, emails and badges. No Flask here.

The mask pattern is fixed by default, which skips qrcode's evaluation of all eight masks (about
half of the encoding time); any mask is valid for decoders. ``summit.badges.qr`` draws the same
PNG several times faster for badge batches.
"""

from __future__ import annotations

import base64
import io

import qrcode
import qrcode.image.svg
from PIL import Image
from qrcode.constants import ERROR_CORRECT_M

QUIET_ZONE = 4  # modules, as the QR standard asks
DEFAULT_MASK = 2


def qr_svg(data: str) -> bytes:
    """A crisp, scalable QR code as an SVG document (one path)."""
    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=QUIET_ZONE,
                       image_factory=qrcode.image.svg.SvgPathImage)
    qr.add_data(data)
    qr.make(fit=True)
    buffer = io.BytesIO()
    qr.make_image().save(buffer)
    return buffer.getvalue()


def qr_matrix(data: str, *, mask_pattern: int | None = DEFAULT_MASK) -> list[list[bool]]:
    """Module matrix of ``data`` (quiet zone included); ``mask_pattern=None`` lets qrcode choose."""
    code = qrcode.QRCode(
        error_correction=ERROR_CORRECT_M, box_size=1, border=QUIET_ZONE,
        mask_pattern=mask_pattern,
    )
    code.add_data(data)
    code.make(fit=True)
    return code.get_matrix()


def qr_png(data: str, *, box_size: int = 1, mask_pattern: int | None = DEFAULT_MASK) -> bytes:
    """1-bit PNG of the QR code for ``data``, black on white, ``box_size`` pixels per module
    (1 for badges, whose CSS scales it up with ``image-rendering: pixelated``)."""
    matrix = qr_matrix(data, mask_pattern=mask_pattern)
    size = len(matrix)
    # Mode "1" raw data: rows packed 8 pixels per byte, 1 = white.
    row_bytes = (size + 7) // 8
    raw = bytearray(row_bytes * size)
    for y, row in enumerate(matrix):
        base = y * row_bytes
        for x, dark in enumerate(row):
            if not dark:
                raw[base + (x >> 3)] |= 0x80 >> (x & 7)
    image = Image.frombytes("1", (size, size), bytes(raw))
    if box_size > 1:
        image = image.resize((size * box_size, size * box_size), Image.Resampling.NEAREST)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=False, compress_level=6)
    return out.getvalue()


def png_data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")
