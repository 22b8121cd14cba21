"""Non-genetic LR of an adoptee against a family's lost child, the posterior, the thresholds."""

import math
from datetime import date
from importlib import resources

import pytest
import yaml

from pingan.kinship import settings
from pingan.kinship.context import Subject, assumptions, context_lr, posterior

ADOPTEE = Subject(
    "F", 1956, 1958, date(1960, 3, 1), date(1960, 4, 30), "150100", "内蒙古呼和浩特", "adoptee"
)
FAMILY = Subject("F", 1957, 1957, date(1959, 11, 1), date(1959, 12, 31), "310000", "上海", "family")


def test_every_number_in_context_yaml_has_a_source_or_is_a_design_choice():
    lines = _text("context.yaml").splitlines()
    for i, line in enumerate(lines):
        if line.strip().startswith("#") or ":" not in line:
            continue
        key, _, value = line.partition(":")
        if value.strip() and any(ch.isdigit() for ch in value) and not key.strip().startswith('"'):
            comments = " ".join(lines[max(0, i - 4) : i])
            assert "design choice" in comments or "(" in comments, line


def test_matching_records_raise_the_odds_part_by_part():
    cfg = assumptions()
    res = context_lr(ADOPTEE, FAMILY)
    assert set(res.parts) == {"sex", "birth_year", "date", "place"}
    # sex: (1 - e) / share of girls
    assert res.parts["sex"] == pytest.approx((1 - 0.02) / 0.5)
    # birth year: the family's 1957 start agrees with 1955..1959 (1956-1958 ± 1): 5 of the
    # 12 cohort years 1950-1961
    assert cfg["birth_year"]["cohort"] == [1950, 1961]
    assert res.parts["birth_year"] == pytest.approx((1 - 0.05) / (5 / 12))
    # date: another adoptee received (a 60-day range) starting from lost - 60 days to lost
    # end + 1461 days, within 1959-01-01..1961-12-31
    t_lo, t_hi = date(1959, 1, 1).toordinal(), date(1961, 12, 31).toordinal()
    start_lo = max(t_lo, date(1959, 11, 1).toordinal() - 60)
    start_hi = min(t_hi, date(1959, 12, 31).toordinal() + 1461)
    chance = (start_hi - start_lo + 1) / (t_hi - t_lo + 1)
    assert res.parts["date"] == pytest.approx((1 - 0.05) / chance)
    # place: Shanghai is a source province; the adoptee's place is where she was received
    assert res.parts["place"] == 1.0
    assert res.log10_lr == pytest.approx(sum(math.log10(v) for v in res.parts.values()))
    assert res.log10_lr > 0


def test_argument_order_follows_the_sides():
    assert context_lr(FAMILY, ADOPTEE).parts == context_lr(ADOPTEE, FAMILY).parts


def test_mismatching_sex_is_small_never_zero():
    boy = Subject("M", 1957, 1957, None, None, side="family")
    res = context_lr(ADOPTEE, boy)
    assert res.parts["sex"] == pytest.approx(0.02 / 0.5)
    assert res.parts["sex"] > 0
    assert context_lr(ADOPTEE, Subject("U", None, None, None, None)).parts["sex"] == 1.0


def test_lost_after_received_or_long_before_lowers_the_date_part():
    after = Subject("F", None, None, date(1961, 1, 1), date(1961, 2, 1), side="family")
    res = context_lr(ADOPTEE, after)
    assert res.parts["date"] < 1
    assert res.parts["birth_year"] == 1.0 and res.parts["place"] == 1.0
    long_before = Subject("F", None, None, date(1950, 1, 1), date(1950, 6, 1), side="family")
    assert context_lr(ADOPTEE, long_before).parts["date"] < 1


def test_far_birth_years_lower_and_missing_years_are_neutral():
    older = Subject("F", 1940, 1942, None, None, side="family")
    assert 0 < context_lr(ADOPTEE, older).parts["birth_year"] < 1
    assert context_lr(ADOPTEE, Subject("F", None, None, None, None)).parts["birth_year"] == 1.0


def test_place_outside_the_source_provinces_and_origin_comparison():
    guangdong = Subject("F", None, None, None, None, "440100", "广州", "family")
    assert context_lr(ADOPTEE, guangdong).parts["place"] == 0.1
    origin = Subject("F", None, None, None, None, "", "上海市第一育婴堂", "adoptee")
    jiangsu = Subject("F", None, None, None, None, "320400", "常州", "family")
    shanghai = Subject("F", None, None, None, None, "", "上海", "family")
    assert context_lr(origin, shanghai).parts["place"] == pytest.approx(0.9 / 0.25)
    assert context_lr(origin, jiangsu).parts["place"] == pytest.approx(0.1 / 0.75)


def test_posterior_from_prior_odds_and_lr():
    assert posterior(0.0, 0.5) == pytest.approx(0.5)
    assert posterior(4.0, 1 / 100) == pytest.approx(1e4 / 99 / (1 + 1e4 / 99))
    assert posterior(2.0, 1 / 101) == pytest.approx(0.5)
    assert posterior(1000.0, 0.001) == 1.0 and posterior(-1000.0, 0.5) == 0.0
    assert posterior(-math.inf, 0.5) == 0.0
    assert posterior(3.0, 0.0) == 0.0
    with pytest.raises(ValueError):
        posterior(1.0, 1.5)


def test_thresholds_from_yaml():
    t = settings.load_thresholds()
    assert (t.report_floor_log10, t.strong_log10) == (2.0, 4.0)
    assert (t.theta, t.mutation, t.frequencies) == (0.01, 0.002, "east_asia")
    assert t.prior == "per_open_cases"
    assert t.prior_for(40) == 1 / 40 and t.prior_for(0) == 1.0
    fixed = settings.parse({**_raw(), "prior": 0.001})
    assert fixed.prior_for(40) == 0.001
    with pytest.raises(ValueError):
        settings.parse({**_raw(), "prior": 2})
    with pytest.raises(ValueError):
        settings.parse({**_raw(), "report_floor_log10": 5})


def _text(name):
    return resources.files("pingan.kinship").joinpath(name).read_text("utf-8")


def _raw():
    return yaml.safe_load(_text("thresholds.yaml"))
