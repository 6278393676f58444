"""Measuring what a document unpacks to: the decoders of PDF's filters, the headers read, the limits."""

import base64
import zlib

import pytest

from tests.volunteers.documents import jpeg, jpeg_segment, lzw_zeros, pdf, pdf_stream
from volunteers import document_size
from volunteers.document_size import Budget, Damaged, TooManyPixels, TooMuchData, Unchecked

MB = 2**20


def decoded(decoder, data: bytes, *, limit: int = 100 * MB, **options) -> bytes:
    return b"".join(decoder(document_size._chunks(data, 7), budget=Budget(limit), **options))


def test_lzw_decodes_the_example_of_the_pdf_reference():
    # PDF 1.7 reference, 3.3.3: "-----A---B" encoded with early change.
    assert decoded(document_size._lzw, bytes.fromhex("800B6050220C0C8501")) == b"-----A---B"


def test_lzw_follows_the_table_through_every_code_width_and_a_clear_code():
    assert decoded(document_size._lzw, lzw_zeros(2)) == bytes(2 * sum(range(1, 3840)))


def test_run_length_copies_literal_runs_and_repeats_bytes():
    assert decoded(document_size._run_length, b"\x02abc\xfeX\x00Z\x80ignored") == b"abcXXXZ"


def test_ascii_hex_skips_spaces_and_pads_an_odd_last_digit():
    assert decoded(document_size._ascii_hex, b"61 62\n6>ignored") == b"ab`"


def test_ascii85_reads_groups_across_chunks_and_z_for_zeros():
    data = b"GlobalIR \x00\x00\x00\x00 volunteers" * 3
    assert decoded(document_size._ascii85, base64.a85encode(data, wrapcol=10) + b"~>") == data


def test_inflate_stops_at_the_end_of_its_data_and_where_it_is_damaged():
    assert decoded(document_size.inflate, zlib.compress(b"page content") + b"\nendstream") == b"page content"
    assert decoded(document_size.inflate, b"\x78\x9c\xff\xff\xff endstream") == b""  # no such block type
    assert b"page content".startswith(decoded(document_size.inflate, zlib.compress(b"page content")[:-6]))


def test_a_decoder_stops_at_the_limit_without_holding_what_it_unpacked():
    bomb = zlib.compress(bytes(50 * MB))
    chunks = document_size.inflate(document_size._chunks(bomb), budget=Budget(20 * MB))

    with pytest.raises(TooMuchData):
        for chunk in chunks:
            assert len(chunk) <= document_size.CHUNK


def test_a_jpegs_frame_is_read_from_its_header_and_a_thumbnail_inside_a_segment_is_not():
    thumbnail = jpeg(65_000, 65_000)
    with_thumbnail = jpeg(2480, 3508, jpeg_segment(0xE1, b"Exif\x00\x00" + thumbnail[:200]))

    assert document_size.jpeg_dimensions(with_thumbnail) == [(2480, 3508)]


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\xff\xd8",
        b"\xff\xd8\x00\x00",
        b"\xff\xd8" + jpeg_segment(0xDA, b"\x00"),
        jpeg(0, 10),
        b"\xff\xd8\xff\xc0\x00\x01",
    ],
)
def test_a_jpeg_without_a_readable_frame_header_is_damaged(data):
    with pytest.raises(Damaged):
        document_size.jpeg_dimensions(data)


def test_a_jpeg_2000_size_is_its_image_area():
    siz = b"\xff\x4f\xff\x51\x00\x29\x00\x00" + (3000).to_bytes(4) + (4000).to_bytes(4) + (500).to_bytes(4) * 2

    assert document_size.jpx_dimensions(b"jp2c" + siz + b"\x00" * 40) == (2500, 3500)


def check(data: bytes, *, limit: int = 150 * MB) -> None:
    document_size.pdf_check(data, budget=Budget(limit), max_pixels=100_000_000)


def test_a_pdf_dictionary_is_read_with_nested_dictionaries_strings_and_comments():
    dictionary = (
        b"/Type /XObject % a comment with /Width 99999999\n"
        b"/Subtype /Image /Name (a (nested) string with \\) and /Height 99999999) /Alt <48656c6c6f> "
        b"/DecodeParms << /Columns 100 /K -1 >> /Width 2480 /Height 3508 /Filter [/FlateDecode]"
    )

    check(pdf(pdf_stream(3, dictionary, zlib.compress(b"\x00" * 100))))


def test_an_image_size_written_in_another_plain_object_is_followed():
    sizes = b"4 0 obj\n65000\nendobj\n5 0 obj 100 endobj\n"

    with pytest.raises(TooManyPixels):
        check(pdf(sizes, pdf_stream(3, b"/Subtype /Image /Width 4 0 R /Height 4 0 R", b"\x00")))
    check(pdf(sizes, pdf_stream(3, b"/Subtype /Image /Width 5 0 R /Height 5 0 R", b"\x00")))


def test_every_stream_counts_towards_one_limit():
    streams = [pdf_stream(number, b"/Filter /FlateDecode", zlib.compress(bytes(MB))) for number in range(3, 8)]

    check(pdf(*streams), limit=5 * MB)
    with pytest.raises(TooMuchData):
        check(pdf(*streams), limit=5 * MB - 1)


def test_a_stream_dictionary_that_cannot_be_read_leaves_the_pdf_unchecked():
    with pytest.raises(Unchecked):
        check(pdf(b"3 0 obj\n<< /Filter /FlateDecode /Length ) >>\nstream\nxx\nendstream\nendobj\n"))


def test_the_word_stream_inside_page_text_is_not_taken_for_a_stream():
    text = pdf_stream(3, b"", b"BT (a stream\nof words >>) Tj ET")

    check(pdf(text))
