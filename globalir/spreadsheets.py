"""CSV files the portal hands out, safe to open in a spreadsheet.

A spreadsheet runs a cell that starts with =, +, - or @ (a tab or a carriage return before one counts
too) as a formula: a need's title or a volunteer's name typed by somebody else could then send the
file's data to a website or run a command on the reader's computer (CSV injection). So every field is
quoted, and a spreadsheet that splits on the right delimiter keeps it whole; and every place where a
cell could start inside it gets an apostrophe before the formula, which a spreadsheet takes as "this
is text": the start of the field, and after each delimiter or line break in it, because a spreadsheet
told to split on ";" or "|", or one that ignores quotes, starts a new cell there. Spaces before a
formula do not hide it (spreadsheets may trim them), so the apostrophe goes after them.
"""

import csv
import io
import re
from collections.abc import Iterable
from typing import Any

FORMULA_STARTS = "=+-@\t\r"
# What spreadsheets offer to split on when they open a text file, and line breaks.
DELIMITERS = ",;|\t\r\n"
_FORMULA_CELL_START = re.compile(rf"(\A|[{re.escape(DELIMITERS)}])([ \t]*)(?=[{re.escape(FORMULA_STARTS)}])")


def spreadsheet_cell(value: Any) -> str:
    """``value`` as text that no spreadsheet runs as a formula, whichever delimiter it splits on."""
    text = "" if value is None else str(value)
    return _FORMULA_CELL_START.sub(r"\1\2'", text)


def spreadsheet_csv(rows: Iterable[Iterable[Any]]) -> str:
    """Rows as CSV text: every field quoted and made safe (`spreadsheet_cell`), with a byte-order mark so
    that spreadsheets read accents right. The only way the portal writes a CSV file for people."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL)
    writer.writerows([spreadsheet_cell(cell) for cell in row] for row in rows)
    return buffer.getvalue()
