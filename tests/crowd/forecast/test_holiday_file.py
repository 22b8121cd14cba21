"""Holidays files: a year the package lacks, or a corrected one, with its source named."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from pingan.crowd.forecast.calendar_features import DayCalendar, china_calendar
from pingan.crowd.forecast.holiday_file import load_holiday_file
from pingan.i18n import use_lang

# The State Council General Office's notice of 4 November 2025, as chinese-calendar 1.11.0 cites it
NOTICE_2026 = """\
source: 国务院办公厅关于2026年部分节假日安排的通知 https://www.gov.cn/zhengce/content/202511/content_7047090.htm
years:
  2026:
    holidays:
      - 2026-01-01..2026-01-03
      - 2026-02-15..2026-02-23
      - 2026-04-04..2026-04-06
      - 2026-05-01..2026-05-05
      - 2026-06-19..2026-06-21
      - 2026-09-25..2026-09-27
      - 2026-10-01..2026-10-07
    makeup_workdays: [2026-01-04, 2026-02-14, 2026-02-28, 2026-05-09, 2026-09-20, 2026-10-10]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "holidays.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_file_of_the_2026_notice_matches_the_package_year(tmp_path: Path) -> None:
    china = china_calendar()
    from_file = load_holiday_file(write(tmp_path, NOTICE_2026))
    assert from_file.years == {2026}
    assert from_file.holidays == {d for d in china.holidays if d.year == 2026}
    assert from_file.makeup_workdays == {d for d in china.makeup_workdays if d.year == 2026}
    assert from_file.source.startswith("holidays.yaml: 国务院办公厅关于2026年")


def test_a_file_year_replaces_the_package_days_of_that_year_only(tmp_path: Path) -> None:
    corrected = load_holiday_file(
        write(tmp_path, "source: a correction\nyears:\n  2025:\n    holidays: [2025-12-31]\n")
    )
    merged = china_calendar().with_years(corrected)
    assert date(2025, 12, 31) in merged.holidays
    assert date(2025, 10, 1) not in merged.holidays  # 2025 is now the file's alone
    assert not merged.is_workday(date(2025, 12, 31)) and merged.is_workday(date(2025, 10, 1))
    assert date(2026, 10, 1) in merged.holidays and date(2026, 10, 10) in merged.makeup_workdays
    assert merged.source.endswith("holidays.yaml: a correction") and "chinese-calendar" in (
        merged.source
    )


def test_missing_years_are_those_the_calendar_does_not_know() -> None:
    calendar = DayCalendar(holidays=frozenset({date(2026, 10, 1)}), years=frozenset({2026}))
    assert calendar.missing_years(date(2026, 12, 1), date(2028, 1, 1)) == (2027, 2028)
    assert calendar.missing_years(date(2026, 1, 1), date(2026, 12, 31)) == ()


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ("years:\n  2030:\n    holidays: [2030-10-01]\n", "source"),
        ("source: s\nyears:\n  2030:\n    holidays: [2031-01-01]\n", "2031-01-01"),
        ("source: s\nyears:\n  2030:\n    holidays: [2030-10-01..2030-12-31]\n", "1-31 days"),
        (
            "source: s\nyears:\n  2030:\n    holidays: [2030-10-05]\n"
            "    makeup_workdays: [2030-10-05]\n",
            "both holiday and working day",
        ),
        (
            "source: s\nyears:\n  2030:\n    holidays: [2030-10-01]\n"
            "    makeup_workdays: [2030-10-09]\n",
            "a weekday needs no making up",
        ),
        ("source: s\nyears:\n  2030:\n    holidays: [2030-13-01]\n", "month"),
        ("source: s\nyears: [\n", "invalid"),
    ],
)
def test_a_malformed_file_is_refused_naming_the_file_and_the_fault(
    tmp_path: Path, body: str, says: str
) -> None:
    path = write(tmp_path, body)
    with use_lang("en"), pytest.raises(ValueError) as refused:
        load_holiday_file(path)
    with use_lang("en"):
        said = str(refused.value)
    assert str(path) in said and says in said
    assert str(refused.value).startswith(f"节假日文件{path}无效")  # Chinese unless asked
