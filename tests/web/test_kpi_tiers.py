"""The KPI board's tiered 1-3-5 table equals the tiers report and names each figure's clock."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import pytest

from tests.web.browser import login, new_page, wait_until

pytestmark = pytest.mark.timeout(240)


def _shown(page) -> dict[tuple[str, str], dict[str, str]]:  # type: ignore[no-untyped-def]
    return page.evaluate(
        """Object.fromEntries([...document.querySelectorAll('#kpi-tiers tbody tr')].map((r) =>
            [r.dataset.tier + '|' + r.dataset.group, {...r.dataset}]))"""
    )


def _settled(page, demo, ready: str, box: str, read):  # type: ignore[no-untyped-def]
    """Open the KPI board until what it shows equals the API's answer for the same `since`
    (the live day may move between the page's read and ours); `read(since)` returns
    (the API's report, what the page shows, what it should show)."""
    for attempt in range(10):
        page.goto(demo.url + "/#map")
        page.goto(demo.url + "/#kpi")
        page.wait_for_selector(ready)
        report, shown, expected = read(page.get_attribute(box, "data-period-start"))
        if shown == expected or attempt == 9:
            return report, shown, expected
        page.wait_for_timeout(500)
    raise AssertionError("unreachable")


def test_kpi_board_shows_the_tiers_on_both_clocks(demo, browser, shots: Path) -> None:  # type: ignore[no-untyped-def]
    page = new_page(browser)
    login(page, demo, "commander")
    commander = demo.token("commander")

    def read(since: str):  # type: ignore[no-untyped-def]
        report = demo.call(
            "GET", f"/reports/response/tiers?by=tier&since={quote(since)}", commander
        ).json()
        expected = {
            f"{r['tier']}|{r['group']}": str(r["incidents"])
            for r in report["rows"]
            if r["incidents"] or r["group"] == "all"
        }
        return report, {k: v["incidents"] for k, v in _shown(page).items()}, expected

    ready = '#kpi-tiers tr[data-tier="tier1"][data-group="all"]'
    _, shown, expected = _settled(page, demo, ready, "#kpi-tiers", read)
    assert shown == expected and set(shown) >= {"tier1|all", "tier3|all", "tier5|all"}
    heads = page.inner_text("#kpi-tiers thead")
    assert "从接警起" in heads and "从派警起" in heads  # each figure's clock beside it

    loads = page.get_attribute("#kpi-tiers", "data-loads")
    page.select_option("#kpi-tiers-by", "area_type")
    # a live refresh may also redraw the table: wait for the new grouping's rows themselves
    wait_until(
        page,
        f"document.querySelector('#kpi-tiers').dataset.loads !== '{loads}'"
        " && document.querySelector('#kpi-tiers').dataset.by === 'area_type'"
        " && !!document.querySelector('#kpi-tiers tr[data-group=\"all\"]')",
    )
    groups = {k.split("|")[1] for k in _shown(page)}
    assert "all" in groups and groups <= {"all", "key_area", "street"}
    assert page.get_attribute("#kpi-tiers", "data-by") == "area_type"
    assert "从接警起" in page.inner_text('[data-kpi="tier1"]')  # the first arrival's clock too
    page.locator("#kpi-tiers").screenshot(path=shots / "kpi-tiers.png")
    page.close()


def test_kpi_board_shows_planned_against_realized(demo, browser) -> None:  # type: ignore[no-untyped-def]
    page = new_page(browser)
    login(page, demo, "commander")
    commander = demo.token("commander")

    def read(since: str):  # type: ignore[no-untyped-def]
        report = demo.call("GET", f"/deployment/realized?since={quote(since)}", commander).json()
        shown = {
            code: [float(v) if v else None for v in values]
            for code, values in page.evaluate(
                """Object.fromEntries([...document.querySelectorAll('#kpi-planned tbody tr')]
                    .map((r) => [r.dataset.tier, [r.dataset.planned, r.dataset.realized]]))"""
            ).items()
        }
        expected = {t["code"]: [t["planned"], t["realized"]] for t in report["tiers"]}
        return report, shown, expected if report["with_plan"] else {}

    report, shown, expected = _settled(page, demo, "#kpi-planned[data-loads]", "#kpi-planned", read)
    assert shown == expected
    page.wait_for_timeout(1500)  # the page's one-second clocks tick over their own spans only
    text = page.inner_text("#kpi-planned")
    assert f"警情 {report['incidents']}" in text
    assert "从接警起" in page.inner_text("#view-kpi")  # the clock is stated beside the figures
    page.close()
