"""CSV files for spreadsheets: no cell a spreadsheet would run as a formula, whatever it splits on."""

import csv
import io
import re
from pathlib import Path

import pytest
from django.conf import settings

from globalir.spreadsheets import spreadsheet_cell, spreadsheet_csv


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", '=HYPERLINK("http://x","y")'])
def test_a_formula_at_the_start_of_a_cell_gets_an_apostrophe(value):
    assert spreadsheet_cell(value) == "'" + value


@pytest.mark.parametrize(
    ("value", "safe"),
    [
        ("Need;=1+1", "Need;'=1+1"),
        ("Need,+1", "Need,'+1"),
        ("Need|@cmd", "Need|'@cmd"),
        ("Need\t-1", "Need\t'-1"),
        ("Need\n=1+1", "Need\n'=1+1"),
        ("Need\r\n=1+1", "Need\r\n'=1+1"),
        ("Need;  =1+1", "Need;  '=1+1"),  # spaces a spreadsheet may trim do not hide it
        ("  =1+1", "  '=1+1"),
        ("=1;=2,=3", "'=1;'=2,'=3"),
    ],
)
def test_a_formula_after_a_delimiter_inside_a_cell_gets_an_apostrophe(value, safe):
    assert spreadsheet_cell(value) == safe


@pytest.mark.parametrize("value", ["Dar es Salaam - Muhimbili", "Amina Okafor", "2027-03-01", "a=b", "C++ 2027", ""])
def test_ordinary_text_is_left_alone(value):
    assert spreadsheet_cell(value) == value


def test_numbers_and_none_become_text():
    assert spreadsheet_cell(12) == "12"
    assert spreadsheet_cell(None) == ""
    assert spreadsheet_cell(-3) == "'-3"


def test_every_field_is_quoted_and_the_file_reads_back():
    text = spreadsheet_csv([["Need", "Days"], ['Need;=1+1 "quoted"', 7], ["Hôpital, Kigali", None]])

    assert text.startswith("\ufeff")
    assert text[1:].splitlines() == ['"Need","Days"', '"Need;\'=1+1 ""quoted""","7"', '"Hôpital, Kigali",""']
    assert list(csv.reader(io.StringIO(text[1:]))) == [
        ["Need", "Days"],
        ['Need;\'=1+1 "quoted"', "7"],
        ["Hôpital, Kigali", ""],
    ]


def test_the_portal_writes_csv_for_people_only_through_spreadsheet_csv():
    root = Path(settings.BASE_DIR)
    writers = {
        path.relative_to(root).as_posix()
        for app in (
            "globalir",
            "notifications",
            "organisations",
            "volunteers",
            "programmes",
            "placements",
            "matcher",
            "conversations",
            "demo",
        )
        for path in (root / app).rglob("*.py")
        if re.search(r"csv\.(writer|DictWriter)\(", path.read_text())
    }

    assert writers == {"globalir/spreadsheets.py"}
