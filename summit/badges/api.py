"""What other capabilities use of badges: the fast PDF machinery (a pool of WeasyPrint worker
processes, PDF concatenation, a fast PNG QR code, a fetcher that loads only data: URLs) and the
check of an uploaded image (re-encoded as a PNG; ``BadgeError`` says what is wrong)."""

from summit.badges.qr import fast_qr_png
from summit.badges.render import DataOnlyFetcher, get_pool, merge_pdfs, png_data_uri
from summit.badges.services import BadgeError, normalize_logo

normalize_image = normalize_logo

__all__ = ["BadgeError", "DataOnlyFetcher", "fast_qr_png", "get_pool", "merge_pdfs",
           "normalize_image", "png_data_uri"]
