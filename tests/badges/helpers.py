"""Helpers for badge tests: decode QR codes and extract text from produced PDFs."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pypdfium2
import zxingcpp
from pypdf import PdfReader
from weasyprint.formatting_structure import boxes

from summit.badges.render import BadgeData


def attendee(i: int, **overrides: Any) -> BadgeData:
    """A plausible attendee with a unique check-in URL."""
    data: dict[str, Any] = dict(
        first_name=f"Jordan{i}", last_name=f"Rivera{i}",
        organization=f"Springfield Unified School District {i}", state="Illinois",
        role="Principal", checkin_url=f"https://summit.example.org/c/abcdefghjkmnpqrstuvwxyz{i:010d}",
        homeroom=f"Table {i % 40 + 1}", ribbon=[None, "Speaker", "Staff"][i % 3], attendee_id=i,
    )
    data.update(overrides)
    return BadgeData(**data)


def decode_pages(pdf: bytes, dpi: int = 150) -> list[list[str]]:
    """QR code texts found on each page, rasterized with pdfium at ``dpi``."""
    doc = pypdfium2.PdfDocument(pdf)
    try:
        found = []
        for page in doc:
            image = page.render(scale=dpi / 72).to_pil()
            found.append([r.text for r in zxingcpp.read_barcodes(image)])
        return found
    finally:
        doc.close()


def pdf_text(pdf: bytes) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages]


def squash(text: str) -> str:
    """Text without whitespace: wrapped lines compare equal to the original."""
    return "".join(text.split())


def base_fonts(pdf: bytes) -> set[str]:
    names = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        fonts = page["/Resources"].get_object().get("/Font", {})
        for ref in fonts.values():
            names.add(str(ref.get_object()["/BaseFont"]))
    return names


def walk(box: Any) -> Iterator[Any]:
    """Every box below ``box``, entering absolutely positioned ones."""
    if isinstance(box, boxes.Box) is False and hasattr(box, "_box"):
        box = box._box
    yield box
    for child in getattr(box, "children", ()):
        yield from walk(child)


def classes(box: Any) -> set[str]:
    element = getattr(box, "element", None)
    if element is None or getattr(box, "element_tag", None) is None:
        return set()
    return set((element.get("class") or "").split())
