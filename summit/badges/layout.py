"""Badge geometry: where each block sits on a badge of a given stock, in points.

Landscape badges (4×3, 3½×2¼, CR80): event header, first name across the
width, then details on the left and the QR code on the right, ribbon band at
the bottom. Portrait badges (4×6, A6): everything stacked and centred.
"""

from __future__ import annotations

from dataclasses import dataclass

from .stocks import Stock


@dataclass(frozen=True)
class Box:
    """A rectangle relative to the badge's top-left corner, in points."""

    x: float
    y: float
    w: float
    h: float

    @property
    def css(self) -> str:
        return f"left:{self.x:.2f}pt;top:{self.y:.2f}pt;width:{self.w:.2f}pt;height:{self.h:.2f}pt"


@dataclass(frozen=True)
class TextSpec:
    """Sizing rules of one text block: the size range and the number of lines."""

    max_size: float
    min_size: float
    max_lines: int
    bold: bool = False


@dataclass(frozen=True)
class Layout:
    """Boxes and text rules for every part of a badge."""

    width: float
    height: float
    padding: float
    align: str  # "left" or "center"
    logo: Box
    event: Box
    event_wide: Box
    first: Box
    last: Box
    org: Box
    meta: Box
    homeroom: Box
    qr: Box
    ribbon: Box
    text: dict[str, TextSpec]


def _stack(x: float, y: float, w: float, heights: list[float], gap: float) -> list[Box]:
    boxes = []
    for h in heights:
        boxes.append(Box(x, y, w, h))
        y += h + gap
    return boxes


def layout_for(stock: Stock) -> Layout:
    """Compute the :class:`Layout` of one badge of ``stock``."""
    W, H = stock.badge_width_pt, stock.badge_height_pt
    short = min(W, H)
    pad = round(short * 0.06, 2)
    inner_w = W - 2 * pad
    if stock.landscape:
        ribbon_h = H * 0.13
        header_h = H * 0.13
        gap = H * 0.02
        logo = Box(pad, pad, header_h * 2.2, header_h)
        event = Box(pad + logo.w + gap * 2, pad, inner_w - logo.w - gap * 2, header_h)
        first = Box(pad, pad + header_h + gap, inner_w, H * 0.23)
        top = first.y + first.h + gap
        bottom = H - ribbon_h - gap
        qr_side = min(bottom - top, W * 0.34)
        qr = Box(W - pad - qr_side, bottom - qr_side, qr_side, qr_side)
        col_w = inner_w - qr_side - gap * 2
        avail = bottom - top
        small_gap = avail * 0.03
        shares = [0.26, 0.34, 0.17, 0.17]
        usable = avail - small_gap * (len(shares) - 1)
        last, org, meta, homeroom = _stack(
            pad, top, col_w, [usable * s for s in shares], small_gap)
        ribbon = Box(0, H - ribbon_h, W, ribbon_h)
        align = "left"
        text = {
            "event": TextSpec(H * 0.05, H * 0.035, 2, bold=True),
            "first": TextSpec(H * 0.19, H * 0.09, 2, bold=True),
            "last": TextSpec(H * 0.10, H * 0.055, 2, bold=True),
            "org": TextSpec(H * 0.06, H * 0.04, 3),
            "meta": TextSpec(H * 0.052, H * 0.035, 1),
            "homeroom": TextSpec(H * 0.07, H * 0.04, 1, bold=True),
            "ribbon": TextSpec(H * 0.08, H * 0.04, 1, bold=True),
        }
    else:
        ribbon_h = H * 0.08
        gap = H * 0.015
        header_h = H * 0.08
        logo = Box(pad, pad, header_h * 2.2, header_h)
        event = Box(pad + logo.w + gap, pad, inner_w - logo.w - gap, header_h)
        bottom = H - ribbon_h - gap
        qr_side = min(W * 0.42, H * 0.3)
        qr = Box((W - qr_side) / 2, bottom - qr_side, qr_side, qr_side)
        top = pad + header_h + gap * 2
        avail = qr.y - gap - top
        shares = [0.32, 0.18, 0.22, 0.12, 0.16]
        usable = avail - gap * (len(shares) - 1)
        first, last, org, meta, homeroom = _stack(
            pad, top, inner_w, [usable * s for s in shares], gap)
        ribbon = Box(0, H - ribbon_h, W, ribbon_h)
        align = "center"
        text = {
            "event": TextSpec(H * 0.03, H * 0.02, 2, bold=True),
            "first": TextSpec(H * 0.12, H * 0.06, 2, bold=True),
            "last": TextSpec(H * 0.06, H * 0.035, 2, bold=True),
            "org": TextSpec(H * 0.035, H * 0.025, 3),
            "meta": TextSpec(H * 0.03, H * 0.02, 1),
            "homeroom": TextSpec(H * 0.04, H * 0.025, 1, bold=True),
            "ribbon": TextSpec(H * 0.05, H * 0.03, 1, bold=True),
        }
    return Layout(
        width=W, height=H, padding=pad, align=align, logo=logo, event=event,
        event_wide=Box(pad, event.y, inner_w, event.h),
        first=first, last=last, org=org, meta=meta, homeroom=homeroom, qr=qr,
        ribbon=ribbon, text=text,
    )
