"""Documents made in code, for the upload tests: well-formed or hostile PDF, JPEG and PNG files.

Each builder writes a file's structure (headers, chunks, segments, objects) as a reader sees it; the
image data inside is never meant to be decoded.
"""

import functools
import struct
import zlib


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png(width: int = 1, height: int = 1, *extra_chunks: bytes) -> bytes:
    """A well-formed PNG of width × height pixels (its pixel data only holds one row: nobody decodes it)."""
    header = png_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
    pixels = png_chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
    return b"\x89PNG\r\n\x1a\n" + header + b"".join(extra_chunks) + pixels + png_chunk(b"IEND", b"")


def pdf(*objects: bytes) -> bytes:
    body = (
        b"1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n"
    )
    return b"%PDF-1.7\n" + body + b"".join(objects) + b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"


def jpeg_segment(marker: int, body: bytes) -> bytes:
    return bytes([0xFF, marker]) + struct.pack(">H", len(body) + 2) + body


def jpeg(width: int = 1, height: int = 1, *segments: bytes, frame: int = 0xC0) -> bytes:
    """A JPEG's structure for width × height pixels: JFIF header, other segments, the frame header, one
    scan with a few bytes of image data (nobody decodes them), end of image."""
    return (
        b"\xff\xd8"
        + jpeg_segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")
        + b"".join(segments)
        + jpeg_segment(frame, struct.pack(">BHHB", 8, height, width, 1) + b"\x01\x11\x00")
        + jpeg_segment(0xDA, b"\x01\x01\x00\x00\x3f\x00")
        + b"\x12\x34\x56\x78"
        + b"\xff\xd9"
    )


def pdf_stream(number: int, dictionary: bytes, data: bytes) -> bytes:
    return (
        b"%d 0 obj\n<< %s /Length %d >>\nstream\n" % (number, dictionary, len(data)) + data + b"\nendstream\nendobj\n"
    )


@functools.cache
def deflated_zeros(megabytes: int = 200) -> bytes:
    """zlib data of about 200 KB that inflates to 200 MB of zeros."""
    compressor = zlib.compressobj(9)
    block = bytes(2**20)
    return b"".join(compressor.compress(block) for _ in range(megabytes)) + compressor.flush()


def lzw_zeros(cycles: int) -> bytes:
    """PDF's LZW (early change) of runs of zeros: each code a run one zero longer than the last until the
    table is full, then a clear code and again. A cycle of about 5 KB unpacks to 7 MB."""
    bits = bit_count = 0
    out = bytearray()

    def write(code: int, width: int) -> None:
        nonlocal bits, bit_count
        bits, bit_count = (bits << width) | code, bit_count + width
        while bit_count >= 8:
            bit_count -= 8
            out.append((bits >> bit_count) & 0xFF)
            bits &= (1 << bit_count) - 1

    width = 9
    for _ in range(cycles):
        write(256, width)  # clear, in the width the table had reached
        size, width = 258, 9
        for code in [0, *range(258, 4096)]:
            write(code, width)
            if code != 0:
                size += 1
            if size + 1 >= 1 << width and width < 12:
                width += 1
    write(257, width)
    write(0, 8 - bit_count % 8 if bit_count % 8 else 0)
    return bytes(out)


def deflate_with_a_stored_part(stored: bytes, megabytes: int) -> bytes:
    """zlib data that starts with ``stored`` as it is (a stored block), then inflates to ``megabytes`` of
    zeros: the bytes of ``stored`` appear in the compressed data itself."""
    block = b"\x00" + struct.pack("<HH", len(stored), len(stored) ^ 0xFFFF) + stored
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    zeros = bytes(2**20)
    rest = b"".join(compressor.compress(zeros) for _ in range(megabytes)) + compressor.flush()
    checksum = zlib.adler32(stored)
    for _ in range(megabytes):
        checksum = zlib.adler32(zeros, checksum)
    return b"\x78\x01" + block + rest + struct.pack(">I", checksum)
