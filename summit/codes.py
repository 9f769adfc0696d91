"""Check-in codes and personal-link secrets: random, opaque, no look-alike characters.

Foundation: registration makes the codes, check-in reads them, badges print them; none of them
owns the format, so it lives below all three. No Flask here.

A check-in code is 32 characters from a 31-letter alphabet (about 158 bits); it is printed in QR
codes and seen by everyone in the room, so it identifies but never authenticates.
"""

from __future__ import annotations

import re
import secrets
from urllib.parse import urlsplit

ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
CODE_LENGTH = 32
PERSONAL_LINK_LENGTH = 40

_CODE_RE = re.compile(rf"^[{ALPHABET}]{{{CODE_LENGTH}}}$")


def new_code(length: int = CODE_LENGTH) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def new_personal_secret() -> str:
    return new_code(PERSONAL_LINK_LENGTH)


def checkin_url(base_url: str, code: str) -> str:
    return f"{base_url.rstrip('/')}/c/{code}"


def extract_code(scanned: str) -> str | None:
    """Return the bare code from what a scanner typed: the full URL or the code itself.

    Scanners add whitespace, keyboard layouts upper-case letters; anything that is not a
    well-formed code gives ``None``.
    """
    text = (scanned or "").strip()
    if not text or len(text) > 2048:
        return None
    if "/" in text:
        path = urlsplit(text).path if "://" in text else text
        parts = [p for p in path.split("/") if p]
        if len(parts) < 2 or parts[-2] != "c":
            return None
        text = parts[-1]
    text = text.lower()
    return text if _CODE_RE.match(text) else None
