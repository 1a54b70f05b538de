"""manage.py rebuild_stats and manage.py monthly_report."""

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from suishoupai import factories as c
from suishoupai.stats.models import DailyCell
from suishoupai.stats.services import compact, stored_cells

from .utils import assert_rollups_equal_recomputation, two_departments_history

pytestmark = pytest.mark.django_db


def test_rebuild_restores_cells_that_were_lost(city, people):
    two_departments_history(city, people, c.WEDNESDAY_9AM)
    cells = stored_cells()
    DailyCell.objects.filter(metric="closed").delete()
    DailyCell.objects.filter(metric="reported").update(count=99)
    call_command("rebuild_stats")
    assert stored_cells() == cells
    # One row per key after a rebuild.
    assert DailyCell.objects.count() == len(cells)
    assert_rollups_equal_recomputation()


def test_compaction_merges_a_key_s_rows_and_changes_no_number(city, people):
    two_departments_history(city, people, c.WEDNESDAY_9AM)
    cells = stored_cells()
    assert DailyCell.objects.count() > len(cells)  # the changes, row by row
    assert compact() > 0
    assert DailyCell.objects.count() == len(cells)
    assert stored_cells() == cells
    assert compact() == 0


def test_the_monthly_bulletin_ranks_units_and_marks_the_bottom_three(city, people, tmp_path):
    two_departments_history(city, people, c.WEDNESDAY_9AM)
    out = tmp_path / "bulletin.xlsx"
    call_command("monthly_report", "2026-11", output=str(out))
    book = load_workbook(out)
    assert book.sheetnames == ["部门", "区", "大类", "趋势"]
    depts = book["部门"]
    assert "2026-11" in depts["A1"].value and depts.freeze_panes == "B5"
    header = [cell.value for cell in depts[4]]
    assert header[0] == "排名" and header[-1] == "备注"
    ranked = [(depts.cell(r, 1).value, depts.cell(r, 2).value) for r in range(5, 8)]
    assert ranked == [(1, "道外区环卫部门"), (2, "南岗区道桥部门"), (3, "市环卫中心")]
    trend = book["趋势"]
    months = [trend.cell(r, 1).value for r in range(5, trend.max_row)]
    assert months == ["2026-11"]
    assert trend.cell(5, 2).value == 4  # reported in November


def test_a_month_must_be_written_year_dash_month(tmp_path):
    with pytest.raises(CommandError):
        call_command("monthly_report", "11/2026", output=str(tmp_path / "x.xlsx"))
