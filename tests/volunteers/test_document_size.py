"""Measuring what a document unpacks to: the decoders of PDF's filters, the headers read, the limits."""

import base64
import zlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.fuzz_strategies import fuzz_settings
from tests.volunteers.documents import jpeg, jpeg_segment, lzw_zeros, pdf, pdf_stream, png, png_chunk
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


# Whatever the bytes, the measurement ends with a verdict, never an error.

PDF_TOKENS = [
    b"<<", b">>", b"[", b"]", b"(", b")", b"\\", b"<48>", b"/Filter", b"/FlateDecode", b"/LZWDecode", b"/RL",
    b"/AHx", b"/A85", b"/DCTDecode", b"/JPXDecode", b"/Width", b"/Height", b"/Subtype", b"/Image", b"/Length",
    b"/DecodeParms", b"/EarlyChange", b"/Type", b"/Form", b"/W", b"/H", b"0", b"1", b"-1", b"65000", b"9" * 30,
    b"3 0 R", b"4 0 obj", b"endobj", b"stream\n", b"endstream", b"BI", b"ID", b"EI", b"%", b"\n", b" ", b"#41",
    b"/Encrypt", b"true", b"null", b"1.5", b"~>", b"\xff\xd8", b"\xff\xc0\x00\x11", b"\xff\x4f\xff\x51",
]  # fmt: skip
WELL_FORMED = pdf(
    pdf_stream(3, b"/Filter /FlateDecode", zlib.compress(b"q BI /W 8 /H 8 ID \x00\x00 EI Q")),
    pdf_stream(4, b"/Subtype /Image /Width 10 /Height 10 /Filter /DCTDecode", jpeg(10, 10)),
    pdf_stream(5, b"/Filter [/A85 /LZW]", base64.a85encode(lzw_zeros(1)) + b"~>"),
)


@fuzz_settings(300)
@given(
    data=st.one_of(
        st.lists(st.sampled_from(PDF_TOKENS), max_size=60).map(lambda tokens: b"%PDF-1.7\n" + b" ".join(tokens)),
        st.tuples(st.integers(0, len(WELL_FORMED)), st.integers(0, 40), st.binary(max_size=20)).map(
            lambda cut: WELL_FORMED[: cut[0]] + cut[2] + WELL_FORMED[cut[0] + cut[1] :]
        ),
    )
)
def test_any_pdf_gets_a_verdict(data):
    try:
        check(data)
    except (TooManyPixels, TooMuchData, Unchecked):
        pass


@fuzz_settings(200)
@given(cut=st.tuples(st.integers(0, 200), st.integers(0, 20), st.binary(max_size=12)))
def test_any_jpeg_gets_a_verdict(cut):
    original = jpeg(2480, 3508, jpeg_segment(0xE1, b"Exif\x00\x00" + bytes(40)))
    data = original[: cut[0]] + cut[2] + original[cut[0] + cut[1] :]
    try:
        document_size.jpeg_dimensions(data)
    except Damaged:
        pass


@fuzz_settings(200)
@given(cut=st.tuples(st.integers(0, 120), st.integers(0, 20), st.binary(max_size=12)))
def test_any_png_gets_a_verdict(cut):
    original = png(10, 10, png_chunk(b"zTXt", b"Comment\x00\x00" + zlib.compress(b"Scanned")))
    original += png_chunk(b"iTXt", b"Title\x00\x01\x00en\x00\x00" + zlib.compress(b"Licence"))
    data = original[: cut[0]] + cut[2] + original[cut[0] + cut[1] :]
    try:
        document_size.png_check(data, budget=Budget(MB))
    except TooMuchData:
        pass
