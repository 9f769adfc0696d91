"""The fast QR encoder (per-version templates, table-driven Reed–Solomon) draws exactly the
modules qrcode draws for the same byte-mode data, level M and mask, and codes decode."""

from __future__ import annotations

import io
import random
import string

import qrcode
import zxingcpp
from PIL import Image
from qrcode import util
from qrcode.constants import ERROR_CORRECT_M

from summit.badges.qr import fast_qr_pixels, fast_qr_png
from summit.qr import DEFAULT_MASK, qr_png


def reference(data: str, mask: int) -> list[list[bool]]:
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=1, border=4,
                         mask_pattern=mask)
    code.add_data(util.QRData(data.encode("utf-8"), mode=util.MODE_8BIT_BYTE))
    code.make(fit=True)
    return code.get_matrix()


def test_same_modules_as_qrcode_for_every_size_and_mask() -> None:
    rng = random.Random(7)
    alphabet = string.ascii_letters + string.digits + "/:.-_?=&é山"
    for length in (1, 9, 17, 32, 47, 64, 106, 150, 230, 400, 700, 1200):
        for mask in (DEFAULT_MASK, 0, 5):
            data = "".join(rng.choice(alphabet) for _ in range(length))
            size, pixels = fast_qr_pixels(data, mask)
            mine = [[pixels[r * size + c] == 0 for c in range(size)] for r in range(size)]
            assert mine == reference(data, mask), (length, mask)


def test_checkin_urls_decode_and_match_the_reference_png() -> None:
    rng = random.Random(11)
    for _ in range(20):
        code = "".join(rng.choices("abcdefghjkmnpqrstuvwxyz23456789", k=32))
        url = f"https://summit.example.org/c/{code}"
        png = fast_qr_png(url)
        assert png == qr_png(url)
        image = Image.open(io.BytesIO(png)).convert("L").resize((400, 400), Image.NEAREST)
        assert [r.text for r in zxingcpp.read_barcodes(image)] == [url]
