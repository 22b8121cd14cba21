"""The anti-fraud wall (反诈大屏): a commander sees this year's figures as the stats API gives
them, in yuan with two decimals and beside last year's, and wall mode toggles.

The demo has no fraud cases of its own: a few are put straight into its store (the rows the
KPIs read), reported a minute ago and on the same day last year."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from pingan.config import Settings
from pingan.db.engine import Database
from pingan.months import add_months
from tests.fraud.rows import case, give_back, order, rows, warning
from tests.web.browser import login, new_page, wait_until

pytestmark = pytest.mark.timeout(180)

TILE = '#wl-tiles [data-kpi="{}"]'


def _yuan(fen: int) -> str:
    return f"¥{fen // 100:,}.{fen % 100:02d}"


def _seed(demo) -> None:  # type: ignore[no-untyped-def]
    db = Database(Settings(data_dir=demo.data_dir, database_url=None).resolved_database_url)
    now = datetime.now(UTC) - timedelta(minutes=1)
    try:
        with rows(db) as s:
            a = case(s, now, fraud_type="investment", loss=12_345_678)
            order(s, a, stopped_at=now + timedelta(seconds=30), held=5_000_000)
            give_back(s, a, 1_000_050)
            b = case(s, now, fraud_type="rebate", loss=300_000)
            order(s, b, result="not_stopped")
            case(s, add_months(now, -12), fraud_type="rebate", loss=100_000)
            warning(s, now, "high", "closed", "dissuaded", assigned=True)
            warning(s, now, "medium")
    finally:
        db.dispose()


def test_the_fraud_wall_shows_the_stats_and_toggles_wall_mode(demo, browser, shots: Path) -> None:  # type: ignore[no-untyped-def]
    _seed(demo)
    expected = demo.call("GET", "/fraud/stats", demo.token("commander")).json()
    page = new_page(browser, 1600, 900)
    login(page, demo, "commander")
    page.click('#nav a[data-view="fraudwall"]')
    page.wait_for_selector(TILE.format("cases"))
    wait_until(page, "document.querySelector('#wl-days').dataset.days !== undefined")

    current, money = expected["current"], expected["current"]["money"]
    assert current["cases"] >= 2 and money["returned_fen"] >= 1_000_050
    assert page.get_attribute(TILE.format("cases"), "data-value") == str(current["cases"])
    for kpi, field in (("loss", "loss_fen"), ("held", "held_fen"), ("returned", "returned_fen")):
        assert page.inner_text(TILE.format(kpi) + " .v") == _yuan(money[field])
    rate = current["stop_orders"]["success_rate"]
    assert page.inner_text(TILE.format("success") + " .v") == f"{round(rate * 100)}%"
    assert "分钟" in page.inner_text(TILE.format("median") + " .v")
    # year on year: more cases than on these dates last year, an arrow up shown as worse news
    assert current["cases"] > expected["previous"]["cases"] >= 1
    yoy = TILE.format("cases") + " .yoy"
    assert page.get_attribute(yoy, "data-trend") == "up"
    assert "worse" in (page.get_attribute(yoy, "class") or "")
    assert "去年同期" in page.inner_text(yoy) and "▲" in page.inner_text(yoy)
    shown = page.evaluate("JSON.parse(document.querySelector('#wl-types-cases').dataset.rows)")
    assert shown == [[r["fraud_type"], r["cases"]] for r in expected["top_types"]["by_cases"]]
    assert page.get_attribute("#wl-days", "data-days") == str(len(expected["by_day"]))
    page.screenshot(path=shots / "fraud-wall.png")

    page.click("#wl-wall-btn")
    wait_until(page, "document.body.classList.contains('wall-mode')")
    assert not page.is_visible("header")  # the wall alone, in large type
    assert page.inner_text("#wl-wall-btn") == "退出大屏"
    page.screenshot(path=shots / "fraud-wall-mode.png")
    page.click("#wl-wall-btn")
    wait_until(page, "!document.body.classList.contains('wall-mode')")
    assert page.is_visible("header") and page.inner_text("#wl-wall-btn") == "大屏模式"

    page.click("#lang")  # the figures in English too
    page.wait_for_selector('#wl-tiles [data-kpi="loss"] .k:has-text("Losses")')
    assert "last year" in page.inner_text(TILE.format("cases") + " .yoy")
    page.click("#lang")
    page.close()
