"""Check-in QR codes for badge batches, fast: the same 1-bit PNG as ``summit.qr.qr_png`` (one
pixel per module, quiet zone, fixed mask), several times faster."""

from __future__ import annotations

import io

import qrcode
from PIL import Image
from qrcode.constants import ERROR_CORRECT_M

from summit.qr import DEFAULT_MASK, QUIET_ZONE

# --- fast path: byte mode, level M, fixed mask, per-version templates -----------------------
#
# Everything that does not depend on the data (finder, timing and alignment patterns, format
# and version information, and the order in which data modules are filled) is computed once
# per QR version with qrcode itself; a code then costs a Reed–Solomon division with log/exp
# tables and one pass over the data modules. ``tests/badges/test_qr_fast.py`` checks that the
# result equals qrcode's matrix module for module.

_EXP = [0] * 512
_LOG = [0] * 256
_x = 1
for _i in range(255):
    _EXP[_i] = _x
    _LOG[_x] = _i
    _x <<= 1
    if _x & 0x100:
        _x ^= 0x11D
for _i in range(255, 512):
    _EXP[_i] = _EXP[_i - 255]
del _x, _i

_GENERATORS: dict[int, list[int]] = {}


def _generator_logs(degree: int) -> list[int]:
    """Logs of the coefficients (leading 1 dropped) of prod (x - a^i), i < degree."""
    found = _GENERATORS.get(degree)
    if found is None:
        poly = [1]
        for i in range(degree):
            nxt = [0] * (len(poly) + 1)
            for j, coef in enumerate(poly):
                nxt[j] ^= coef
                if coef:
                    nxt[j + 1] ^= _EXP[_LOG[coef] + i]
            poly = nxt
        found = _GENERATORS[degree] = [_LOG[c] for c in poly[1:]]
    return found


def _rs_remainder(data: list[int], degree: int) -> list[int]:
    gen = _generator_logs(degree)
    rem = [0] * degree
    exp = _EXP
    for byte in data:
        factor = byte ^ rem[0]
        del rem[0]
        rem.append(0)
        if factor:
            lf = _LOG[factor]
            for i, lg in enumerate(gen):
                rem[i] ^= exp[lf + lg]
    return rem


class _Template:
    __slots__ = ("version", "size", "base", "positions", "blocks", "capacity_bits")

    def __init__(self, version: int, mask_pattern: int) -> None:
        from qrcode import util
        from qrcode.base import rs_blocks

        code = qrcode.QRCode(version=version, error_correction=ERROR_CORRECT_M, border=0,
                             mask_pattern=mask_pattern)
        n = code.modules_count = version * 4 + 17
        code.modules = [[None] * n for _ in range(n)]
        code.setup_position_probe_pattern(0, 0)
        code.setup_position_probe_pattern(n - 7, 0)
        code.setup_position_probe_pattern(0, n - 7)
        code.setup_position_adjust_pattern()
        code.setup_timing_pattern()
        code.setup_type_info(False, mask_pattern)
        if version >= 7:
            code.setup_type_number(False)
        mask = util.mask_func(mask_pattern)
        size = n + 2 * QUIET_ZONE
        base = bytearray(b"\xff") * (size * size)  # 0xff white, 0 dark
        for r in range(n):
            for c in range(n):
                if code.modules[r][c]:
                    base[(r + QUIET_ZONE) * size + c + QUIET_ZONE] = 0
        # Data module order, as qrcode's map_data walks it: (offset in the image, masked?).
        positions: list[tuple[int, bool]] = []
        row, inc = n - 1, -1
        for col in range(n - 1, 0, -2):
            if col <= 6:
                col -= 1
            while True:
                for c in (col, col - 1):
                    if code.modules[row][c] is None:
                        positions.append(((row + QUIET_ZONE) * size + c + QUIET_ZONE,
                                          bool(mask(row, c))))
                row += inc
                if row < 0 or row >= n:
                    row -= inc
                    inc = -inc
                    break
        self.version, self.size, self.base, self.positions = version, size, base, positions
        self.blocks = [(b.data_count, b.total_count - b.data_count)
                       for b in rs_blocks(version, ERROR_CORRECT_M)]
        self.capacity_bits = sum(d for d, _ in self.blocks) * 8


_TEMPLATES: dict[tuple[int, int], _Template] = {}


def _template(version: int, mask_pattern: int) -> _Template:
    key = (version, mask_pattern)
    found = _TEMPLATES.get(key)
    if found is None:
        found = _TEMPLATES[key] = _Template(version, mask_pattern)
    return found


def _codewords(payload: bytes, t: _Template) -> list[int]:
    count_bits = 8 if t.version < 10 else 16
    bits = "0100" + format(len(payload), f"0{count_bits}b") + payload.hex()
    # (hex digits turned into bits below keeps this in C-implemented string operations)
    bits = bits[:4 + count_bits] + "".join(_HEX_BITS[h] for h in bits[4 + count_bits:])
    bits += "0" * min(4, t.capacity_bits - len(bits))
    bits += "0" * (-len(bits) % 8)
    data = [int(bits[i:i + 8], 2) for i in range(0, len(bits), 8)]
    pad = (t.capacity_bits // 8) - len(data)
    data += [0xEC, 0x11] * (pad // 2) + [0xEC] * (pad % 2)
    blocks, ecc, start = [], [], 0
    for data_count, ecc_count in t.blocks:
        block = data[start:start + data_count]
        start += data_count
        blocks.append(block)
        ecc.append(_rs_remainder(block, ecc_count))
    out = []
    for i in range(max(len(b) for b in blocks)):
        out.extend(b[i] for b in blocks if i < len(b))
    for i in range(max(len(e) for e in ecc)):
        out.extend(e[i] for e in ecc if i < len(e))
    return out


_HEX_BITS = {h: format(int(h, 16), "04b") for h in "0123456789abcdef"}


def fast_qr_version(payload: bytes) -> int:
    for version in range(1, 41):
        count_bits = 8 if version < 10 else 16
        if 4 + count_bits + 8 * len(payload) <= _template(version, DEFAULT_MASK).capacity_bits:
            return version
    raise ValueError("too much data for a QR code")


def fast_qr_pixels(data: str, mask_pattern: int = DEFAULT_MASK) -> tuple[int, bytearray]:
    """(size, 8-bit pixels: 0 dark, 255 light) of the byte-mode, level-M QR code of ``data``,
    quiet zone included."""
    payload = data.encode("utf-8")
    t = _template(fast_qr_version(payload), mask_pattern)
    words = _codewords(payload, t)
    pixels = bytearray(t.base)
    nbits = len(words) * 8
    for index, (offset, masked) in enumerate(t.positions):
        dark = index < nbits and (words[index >> 3] >> (7 - (index & 7))) & 1
        if dark != masked:  # dark XOR mask
            pixels[offset] = 0
    return t.size, pixels


def fast_qr_png(data: str, mask_pattern: int = DEFAULT_MASK) -> bytes:
    """Same image as :func:`summit.qr.qr_png` for byte-mode data, several times faster."""
    size, pixels = fast_qr_pixels(data, mask_pattern)
    image = Image.frombytes("L", (size, size), bytes(pixels)).convert(
        "1", dither=Image.Dither.NONE)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=False, compress_level=6)
    return out.getvalue()
