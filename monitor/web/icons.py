"""Draw the app's PNG icons (a white clock face on the brand blue) with the standard library.

Run `python -m monitor.web.icons` after changing the design; the PNGs are committed.
"""
import math
import struct
import zlib
from pathlib import Path

BLUE, WHITE = (0x1D, 0x4E, 0x89), (0xFF, 0xFF, 0xFF)
OUT = Path(__file__).resolve().parent / "static" / "icons"


def _pixel(x: float, y: float, size: int) -> tuple:
    """Colour at (x, y): a ring, two clock hands, blue elsewhere (a maskable safe zone)."""
    c = size / 2
    dx, dy = x - c, y - c
    r = math.hypot(dx, dy)
    if abs(r - size * 0.30) < size * 0.035:
        return WHITE
    width = size * 0.03
    if abs(dx) < width and -size * 0.22 < dy < 0:  # minute hand, to twelve
        return WHITE
    if abs(dy) < width and 0 < dx < size * 0.16:  # hour hand, to three
        return WHITE
    return BLUE


def png(size: int) -> bytes:
    """An RGB PNG of the icon at `size` pixels."""
    rows = b"".join(b"\x00" + bytes(v for x in range(size) for v in _pixel(x + 0.5, y + 0.5, size))
                    for y in range(size))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows, 9))
            + chunk(b"IEND", b""))


def main() -> None:
    """Write icon-192.png and icon-512.png."""
    OUT.mkdir(parents=True, exist_ok=True)
    for size in (192, 512):
        (OUT / f"icon-{size}.png").write_bytes(png(size))


if __name__ == "__main__":
    main()
