"""The filters a PDF's streams (and a PNG's compressed chunks) are encoded with, decoded a chunk at a time
and counted against a budget, so that measuring a compression bomb never holds more than a chunk: zlib
(Flate), LZW, run-length, ASCII hex and ASCII base-85. Pure Python, no Django; `volunteers.document_size`
measures documents with them."""

from __future__ import annotations

import base64
import re
import zlib
from collections.abc import Iterable, Iterator

# Data is inflated this much at a time, so that measuring a bomb never holds more than this.
CHUNK = 1 << 20
_INPUT_CHUNK = 1 << 16


class TooMuchData(Exception):
    """The document unpacks to more than the limit."""


class Budget:
    """How many more bytes the document may unpack to; spending past it raises TooMuchData."""

    def __init__(self, limit: int):
        self.limit = limit
        self.left = limit

    def spend(self, size: int) -> None:
        self.left -= size
        if self.left < 0:
            raise TooMuchData


# Decoders of PDF filters: each takes and yields chunks of bytes, spending what it yields.


def _chunks(data: bytes | memoryview, size: int = _INPUT_CHUNK) -> Iterator[memoryview]:
    data = memoryview(data)
    for start in range(0, len(data), size):
        yield data[start : start + size]


def inflate(chunks: Iterable[bytes | memoryview], *, budget: Budget) -> Iterator[bytes]:
    """zlib data, inflated a chunk at a time; stops at the end of the zlib stream or where it is damaged
    (where a reader stops too)."""
    inflater = zlib.decompressobj()
    for data in chunks:
        while True:
            try:
                out = inflater.decompress(data, CHUNK)
            except zlib.error:
                return
            budget.spend(len(out))
            if out:
                yield out
            if inflater.eof:
                return
            data = inflater.unconsumed_tail
            if not data and len(out) < CHUNK:
                break  # this input is used up and nothing is pending: next input


def _lzw(chunks: Iterable[bytes | memoryview], *, budget: Budget, early_change: int = 1) -> Iterator[bytes]:
    table: list[bytes] = [bytes([value]) for value in range(256)] + [b"", b""]
    width, previous, bits, bit_count = 9, None, 0, 0
    out = bytearray()
    for data in chunks:
        for byte in bytes(data):
            bits, bit_count = (bits << 8) | byte, bit_count + 8
            while bit_count >= width:
                bit_count -= width
                code = (bits >> bit_count) & ((1 << width) - 1)
                bits &= (1 << bit_count) - 1
                if code == 256:  # clear table
                    del table[258:]
                    width, previous = 9, None
                    continue
                if code == 257:  # end of data
                    budget.spend(len(out))
                    yield bytes(out)
                    return
                if code < len(table) and code not in (256, 257):
                    entry = table[code]
                elif code == len(table) and previous is not None:
                    entry = previous + previous[:1]
                else:
                    budget.spend(len(out))
                    yield bytes(out)
                    return  # damaged
                out += entry
                if previous is not None and len(table) < 4096:
                    table.append(previous + entry[:1])
                previous = entry
                if len(table) + early_change >= 1 << width and width < 12:
                    width += 1
                if len(out) >= CHUNK:
                    budget.spend(len(out))
                    yield bytes(out)
                    out.clear()
    budget.spend(len(out))
    yield bytes(out)


def _run_length(chunks: Iterable[bytes | memoryview], *, budget: Budget) -> Iterator[bytes]:
    pending = b""
    for data in chunks:
        data = pending + bytes(data)
        out = bytearray()
        position = 0
        while position < len(data):
            length = data[position]
            if length == 128:  # end of data
                budget.spend(len(out))
                yield bytes(out)
                return
            if length < 128:
                if position + 2 + length > len(data):
                    break
                out += data[position + 1 : position + 2 + length]
                position += 2 + length
            else:
                if position + 2 > len(data):
                    break
                out += data[position + 1 : position + 2] * (257 - length)
                position += 2
            if len(out) >= CHUNK:
                budget.spend(len(out))
                yield bytes(out)
                out.clear()
        pending = data[position:]
        budget.spend(len(out))
        yield bytes(out)


_NOT_HEX = re.compile(rb"[^0-9A-Fa-f]")


def _ascii_hex(chunks: Iterable[bytes | memoryview], *, budget: Budget) -> Iterator[bytes]:
    pending = b""
    for data in chunks:
        data = bytes(data)
        end = data.find(b">")
        digits = pending + _NOT_HEX.sub(b"", data if end < 0 else data[:end])
        if end >= 0 and len(digits) % 2:
            digits += b"0"
        usable = len(digits) - len(digits) % 2
        out, pending = bytes.fromhex(digits[:usable].decode()), digits[usable:]
        budget.spend(len(out))
        yield out
        if end >= 0:
            return


_WHITESPACE = b" \t\n\r\x0c\x00"


def _ascii85(chunks: Iterable[bytes | memoryview], *, budget: Budget) -> Iterator[bytes]:
    pending = b""
    for data in chunks:
        data = bytes(data).translate(None, _WHITESPACE)
        end = data.find(b"~")
        text = pending + (data if end < 0 else data[:end]).replace(b"z", b"!!!!!")
        usable = len(text) if end >= 0 else len(text) - len(text) % 5
        try:
            out = base64.a85decode(text[:usable])
        except ValueError:
            return
        pending = text[usable:]
        budget.spend(len(out))
        yield out
        if end >= 0:
            return
