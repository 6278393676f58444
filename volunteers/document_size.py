"""How big an uploaded document becomes once it is opened, measured without opening it.

A file of a few hundred kilobytes can declare an image of 65,000 × 65,000 pixels, or hold compressed
data that inflates to gigabytes: whoever opens it (a coordinator's image viewer or PDF reader) runs out
of memory. Nothing here decodes an image. A JPEG's and a PNG's size in pixels is read from their
headers; compressed data (a PDF's streams, a PNG's compressed text and colour profile) is inflated a
megabyte at a time, counted and thrown away, and the count stops at the limit. Pure Python, no Django:
`volunteers.validators` turns what is found into messages.

What a PDF reader may have to unpack is counted stage by stage through each stream's filters
(Flate, LZW, run-length, ASCII hex and base-85), and each image's size in pixels is read from its
dictionary (and from its own header for JPEG and JPEG 2000 data); inline images in page content too.
A PDF that is encrypted, or whose images' sizes cannot be read without running the reader, is not
checked but refused (`Unchecked`): a scan never needs either. The filters themselves, and the budget
they spend, are in `volunteers.stream_filters`.
"""

from __future__ import annotations

import bisect
import re
import struct
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from .stream_filters import (
    _INPUT_CHUNK,
    CHUNK,
    Budget,
    TooMuchData,
    _ascii85,
    _ascii_hex,
    _chunks,
    _lzw,
    _run_length,
    inflate,
)


class TooManyPixels(Exception):
    def __init__(self, width: int, height: int):
        super().__init__(f"{width} × {height} pixels")
        self.width, self.height = width, height


class Damaged(Exception):
    """The image's header is missing or broken."""


class Unchecked(Exception):
    """The document is built in a way that cannot be measured without a reader (encrypted, sizes that
    only a reader can work out)."""


def check_pixels(width: int, height: int, *, max_pixels: int) -> None:
    if width * height > max_pixels:
        raise TooManyPixels(width, height)


# JPEG


# Start-of-frame markers (baseline, progressive, lossless, arithmetic…) and the hierarchical DHP.
_JPEG_FRAMES = frozenset([*range(0xC0, 0xC4), *range(0xC5, 0xC8), *range(0xC9, 0xCC), *range(0xCD, 0xD0), 0xDE])
_JPEG_START_OF_SCAN = 0xDA
_JPEG_END = 0xD9
_JPEG_STANDALONE = frozenset([0x01, *range(0xD0, 0xD8)])  # TEM and the restart markers: no length


def jpeg_dimensions(data: bytes | memoryview) -> list[tuple[int, int]]:
    """The width and height every frame header of a JPEG declares, read up to its first scan.

    Raises Damaged when the data is not a JPEG's marker structure or declares no frame before its image
    data starts (a decoder needs the frame header to know what to allocate).
    """
    data = memoryview(data)
    if bytes(data[:2]) != b"\xff\xd8":
        raise Damaged
    frames = []
    position = 2
    while position + 4 <= len(data):
        if data[position] != 0xFF:
            raise Damaged
        marker = data[position + 1]
        if marker == 0xFF:  # fill byte before a marker
            position += 1
            continue
        if marker in _JPEG_STANDALONE:
            position += 2
            continue
        if marker == _JPEG_END:
            break
        (length,) = struct.unpack(">H", data[position + 2 : position + 4])
        if length < 2:
            raise Damaged
        if marker in _JPEG_FRAMES:
            if length < 7 or position + 9 > len(data):
                raise Damaged
            height, width = struct.unpack(">HH", data[position + 5 : position + 9])
            if not width or not height:
                raise Damaged
            frames.append((width, height))
        if marker == _JPEG_START_OF_SCAN:
            break
        position += 2 + length
    if not frames:
        raise Damaged
    return frames


# JPEG 2000 (inside a PDF): the image and tile size marker (SIZ) follows the start of the codestream.
_JPX_SIZE = re.compile(rb"\xff\x4f\xff\x51")


def jpx_dimensions(data: bytes | memoryview) -> tuple[int, int]:
    match = _JPX_SIZE.search(data)
    if match is None or match.end() + 20 > len(data):
        raise Damaged
    full_width, full_height, left, top = struct.unpack(">IIII", data[match.end() + 4 : match.end() + 20])
    if full_width <= left or full_height <= top:
        raise Damaged
    return full_width - left, full_height - top


# PNG

_PNG_SIGNATURE_LENGTH = 8
# Chunks whose data is (partly) zlib-compressed, and where the compressed part starts.
_PNG_COMPRESSED = {b"zTXt": 1, b"iCCP": 1}


def png_check(data: bytes, *, budget: Budget) -> None:
    """Inflate the compressed text and colour profile chunks of a PNG, counting what they unpack to
    (its pixels are bounded by its header, checked by the caller)."""
    position = _PNG_SIGNATURE_LENGTH
    while position + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[position : position + 8])
        body = memoryview(data)[position + 8 : position + 8 + length]
        position += 12 + length
        if kind == b"IEND":
            break
        compressed = None
        if kind in _PNG_COMPRESSED:
            name_end = bytes(body).find(b"\0")
            if name_end >= 0:
                compressed = body[name_end + 1 + _PNG_COMPRESSED[kind] :]
        elif kind == b"iTXt":
            # keyword \0 compression flag, method, language \0 translated keyword \0 text
            fields = bytes(body).split(b"\0", 1)
            if len(fields) == 2 and fields[1][:1] == b"\x01":
                rest = fields[1][2:].split(b"\0", 2)
                if len(rest) == 3:
                    compressed = rest[2]
        if compressed is not None:
            for _ in inflate(_chunks(compressed), budget=budget):
                pass


# PDF


@dataclass(frozen=True)
class Name:
    value: str


@dataclass(frozen=True)
class Ref:
    number: int
    generation: int


class _Unparsable(Exception):
    pass


_PDF_WHITESPACE = b" \t\n\r\x0c\x00"
_TOKEN_BOUNDARIES = frozenset(bytes([byte]) for byte in b" \t\n\r\x0c\x00()<>[]{}/%")
_PDF_TOKEN_END = re.compile(rb"[ \t\n\r\x0c\x00()<>\[\]{}/%]")
_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
# At most 20 digits: a number in a PDF is never longer, and Python refuses to convert thousands of them.
_NUMBER = re.compile(rb"[+-]?(?:\d{1,20}(?:\.\d{0,20})?|\.\d{1,20})(?![0-9.])")
_REFERENCE_REST = re.compile(rb"\s+(\d{1,10})\s+R(?![^ \t\n\r\x0c\x00()<>\[\]{}/%])")
_LINE_END = re.compile(rb"[\r\n]")


class _Parser:
    """Just enough of PDF's object syntax to read a stream's dictionary: dictionaries, arrays, names,
    numbers, strings, booleans, null and references."""

    def __init__(self, data: bytes):
        self.data, self.position = data, 0

    def _skip_space(self) -> None:
        data = self.data
        while self.position < len(data):
            char = data[self.position : self.position + 1]
            if char in _PDF_WHITESPACE and char:
                self.position += 1
            elif char == b"%":
                line_end = _LINE_END.search(data, self.position)
                self.position = line_end.end() if line_end else len(data)
            else:
                return

    def value(self, depth: int = 0):
        if depth > 32:
            raise _Unparsable
        self._skip_space()
        data, start = self.data, self.position
        if data.startswith(b"<<", start):
            self.position += 2
            result = {}
            while True:
                self._skip_space()
                if data.startswith(b">>", self.position):
                    self.position += 2
                    return result
                key = self.value(depth + 1)
                if not isinstance(key, Name):
                    raise _Unparsable
                result[key.value] = self.value(depth + 1)
        if data.startswith(b"[", start):
            self.position += 1
            items = []
            while True:
                self._skip_space()
                if data.startswith(b"]", self.position):
                    self.position += 1
                    return items
                items.append(self.value(depth + 1))
        if data.startswith(b"<", start):
            end = data.find(b">", start)
            if end < 0:
                raise _Unparsable
            self.position = end + 1
            return bytes(data[start + 1 : end])
        if data.startswith(b"(", start):
            return self._literal_string()
        if data.startswith(b"/", start):
            match = _PDF_TOKEN_END.search(data, start + 1)
            end = match.start() if match else len(data)
            self.position = end
            raw = _NAME_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), data[start + 1 : end])
            return Name(raw.decode("latin-1"))
        number = _NUMBER.match(data, start)
        if number:
            self.position = number.end()
            text = number.group()
            if b"." in text:
                return float(text)
            reference = _REFERENCE_REST.match(data, self.position)
            if reference:
                self.position = reference.end()
                return Ref(int(text), int(reference.group(1)))
            return int(text)
        match = _PDF_TOKEN_END.search(data, start)
        end = match.start() if match else len(data)
        word = data[start:end]
        if word in (b"true", b"false", b"null"):
            self.position = end
            return {b"true": True, b"false": False, b"null": None}[word]
        raise _Unparsable

    def _literal_string(self) -> bytes:
        data, depth, start = self.data, 0, self.position
        position = start
        while position < len(data):
            char = data[position]
            if char == 0x5C:  # backslash: the next character is escaped
                position += 2
                continue
            if char == 0x28:
                depth += 1
            elif char == 0x29:
                depth -= 1
                if depth == 0:
                    self.position = position + 1
                    return bytes(data[start + 1 : position])
            position += 1
        raise _Unparsable


_OBJECT_HEADER = re.compile(rb"(?<![0-9])(\d{1,10})\s+(\d{1,10})\s+obj(?![^ \t\n\r\x0c\x00()<>\[\]{}/%])")
_STREAM_KEYWORD = re.compile(rb"(?<!end)stream(?:\r\n|\n|\r)")
_ENCRYPTED = re.compile(rb"/Encrypt(?![^ \t\n\r\x0c\x00()<>\[\]{}/%])")
# The operators that start an inline image and its data; a match is one when "BI" starts a token (checked
# after the search, which is much faster without a look-behind).
_INLINE_IMAGE = re.compile(rb"BI\s(.{0,1024}?)\sID\s", re.DOTALL)
_INLINE_SIZE = re.compile(rb"/(W|H|Width|Height)\s+(\d{1,20})(?![0-9])")
_INLINE_OVERLAP = 1100

_DECODERS: dict[str, Callable[..., Iterator[bytes]]] = {
    "FlateDecode": inflate,
    "Fl": inflate,
    "LZWDecode": _lzw,
    "LZW": _lzw,
    "RunLengthDecode": _run_length,
    "RL": _run_length,
    "ASCIIHexDecode": _ascii_hex,
    "AHx": _ascii_hex,
    "ASCII85Decode": _ascii85,
    "A85": _ascii85,
}
_IMAGE_HEADERS = {"DCTDecode": "jpeg", "DCT": "jpeg", "JPXDecode": "jpx"}
# An image codec's header is read from at most this much of its data.
_IMAGE_HEADER_LIMIT = 4 * CHUNK
# Streams that hold no page content (and so no inline image): fonts, colour profiles, functions,
# shadings, metadata, object and cross-reference streams, images.
_NOT_CONTENT_KEYS = frozenset({"Type", "Subtype", "Length1", "Length2", "Length3", "N", "FunctionType", "ShadingType"})


def _decode_names(data: bytes) -> bytes:
    return _NAME_ESCAPE.sub(lambda match: bytes([int(match.group(1), 16)]), data)


class _Pdf:
    def __init__(self, data: bytes, *, budget: Budget, max_pixels: int):
        self.data, self.budget, self.max_pixels = data, budget, max_pixels
        headers = list(_OBJECT_HEADER.finditer(data))
        self.header_ends = [match.end() for match in headers]
        # Where each object's value starts; a later definition (an incremental update) wins, as in a reader.
        self.objects = {(int(match.group(1)), int(match.group(2))): match.end() for match in headers}
        # Reading the same bytes again for every stream that claims them (streams without an end) is
        # bounded: a real PDF reads each byte once.
        self.reading = Budget(8 * len(data) + 16 * _INPUT_CHUNK)

    def resolve(self, value):
        """A reference to an object written plainly in the file, read; anything else as it is. Unchecked
        when the object is in a compressed object stream or missing: only a reader finds it."""
        if not isinstance(value, Ref):
            return value
        position = self.objects.get((value.number, value.generation))
        if position is None:
            raise Unchecked
        parser = _Parser(self.data)
        parser.position = position
        try:
            resolved = parser.value()
        except _Unparsable:
            raise Unchecked from None
        if isinstance(resolved, Ref):
            raise Unchecked
        return resolved

    def check(self) -> None:
        if _ENCRYPTED.search(_decode_names(self.data)):
            raise Unchecked
        for keyword in _STREAM_KEYWORD.finditer(self.data):
            index = bisect.bisect_right(self.header_ends, keyword.start()) - 1
            if index < 0:
                continue
            text = self.data[self.header_ends[index] : keyword.start()].strip(_PDF_WHITESPACE)
            if not (text.startswith(b"<<") and text.endswith(b">>")):
                continue  # the word inside some other data, not a stream's start
            try:
                dictionary = _Parser(text).value()
            except _Unparsable:
                raise Unchecked from None
            if isinstance(dictionary, dict):
                self.check_stream(dictionary, keyword.end())

    def check_stream(self, dictionary: dict, start: int) -> None:
        width, height = self.resolve(dictionary.get("Width")), self.resolve(dictionary.get("Height"))
        is_image = self.resolve(dictionary.get("Subtype")) == Name("Image")
        if is_image or width is not None or height is not None:
            if not isinstance(width, int) or not isinstance(height, int):
                raise Unchecked
            check_pixels(width, height, max_pixels=self.max_pixels)
        stream: Iterable[bytes | memoryview] = self.read(start, self.stream_end(dictionary, start))
        parameters = self.resolve(dictionary.get("DecodeParms"))
        for position, kind in enumerate(self.filters(dictionary)):
            if kind in _IMAGE_HEADERS:
                stream = self.check_image_header(stream, _IMAGE_HEADERS[kind])
                break
            decoder = _DECODERS.get(kind)
            if decoder is None:
                break  # CCITT fax, JBIG2, Crypt: bounded by the image's size, checked above
            options = {"budget": self.budget}
            if decoder is _lzw:
                if isinstance(parameters, list):
                    parameter = self.resolve(parameters[position]) if position < len(parameters) else None
                else:
                    parameter = parameters
                if isinstance(parameter, dict) and parameter.get("EarlyChange") == 0:
                    options["early_change"] = 0
            stream = decoder(stream, **options)
        else:
            if dictionary.get("Subtype") == Name("Form") or not _NOT_CONTENT_KEYS & dictionary.keys():
                stream = self.check_inline_images(stream)
        for _ in stream:
            pass

    def filters(self, dictionary: dict) -> list[str]:
        filters = self.resolve(dictionary.get("Filter"))
        filters = [] if filters is None else filters if isinstance(filters, list) else [filters]
        names = [self.resolve(item) for item in filters]
        if not all(isinstance(name, Name) for name in names):
            raise Unchecked
        return [name.value for name in names]

    def stream_end(self, dictionary: dict, start: int) -> int:
        """Where the stream's data ends: the first "endstream" after its declared length (a reader
        trusts the length; the data may hold the word "endstream" before it), or the end of the file."""
        try:
            length = self.resolve(dictionary.get("Length"))
        except Unchecked:
            length = None
        after = start + length if isinstance(length, int) and 0 <= length <= len(self.data) - start else start
        end = self.data.find(b"endstream", after)
        return len(self.data) if end < 0 else end

    def read(self, start: int, end: int) -> Iterator[memoryview]:
        for chunk in _chunks(memoryview(self.data)[start:end]):
            try:
                self.reading.spend(len(chunk))
            except TooMuchData:
                raise Unchecked from None
            yield chunk

    def check_image_header(self, stream: Iterable[bytes | memoryview], kind: str) -> Iterator[bytes | memoryview]:
        """Read the image codec's own header (it decides what a reader allocates) from the start of its
        data, then pass the data on, so that the filters before the codec are counted to the end."""
        head = bytearray()
        stream = iter(stream)
        for chunk in stream:
            head += chunk
            if len(head) >= _IMAGE_HEADER_LIMIT:
                break
        try:
            sizes = jpeg_dimensions(head) if kind == "jpeg" else [jpx_dimensions(head)]
        except Damaged:
            raise Unchecked from None
        for width, height in sizes:
            check_pixels(width, height, max_pixels=self.max_pixels)
        return stream

    def check_inline_images(self, stream: Iterable[bytes | memoryview]) -> Iterator[bytes | memoryview]:
        """Page content: the size of every inline image in it (BI … ID), which a reader allocates too."""
        tail = b""
        for chunk in stream:
            text = tail + bytes(chunk)
            for match in _INLINE_IMAGE.finditer(text):
                if match.start() and text[match.start() - 1 : match.start()] not in _TOKEN_BOUNDARIES:
                    continue
                size = dict(_INLINE_SIZE.findall(_decode_names(match.group(1))))
                width, height = size.get(b"W", size.get(b"Width")), size.get(b"H", size.get(b"Height"))
                if width is not None and height is not None:
                    check_pixels(int(width), int(height), max_pixels=self.max_pixels)
            tail = text[-_INLINE_OVERLAP:]
            yield chunk


def pdf_check(data: bytes, *, budget: Budget, max_pixels: int) -> None:
    """Measure a PDF: refuse encryption; count what each stream unpacks to through its filters; check the
    size in pixels of every image, inline ones included."""
    _Pdf(data, budget=budget, max_pixels=max_pixels).check()
