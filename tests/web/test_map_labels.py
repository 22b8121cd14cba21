"""The command map's labels, hover tooltips, detail and grouped legend, in Chinese and English."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.web.browser import login, new_page, wait_until

pytestmark = pytest.mark.timeout(180)

CJK = re.compile(r"[\u4e00-\u9fff]")
LABELS = "window.pingan.markers.labels()"
# A live unit drawn on the map, at least 25 px from every other marker (so the pointer finds
# it and nothing else), as its call sign and page coordinates; null while there is none.
LONE_UNIT = """(() => {
  const map = window.pingan.maps.map, box = map.getContainer().getBoundingClientRect();
  const { units, incidents } = window.pingan.markers;
  const all = [...units.values(), ...incidents.values()]
    .map((m) => map.latLngToContainerPoint(m.getLatLng()));
  for (const [id, m] of units) {
    const u = window.pingan.state.units.get(id); if (!u) continue;
    const p = map.latLngToContainerPoint(m.getLatLng());
    if (p.x < 60 || p.y < 60 || p.x > box.width - 60 || p.y > box.height - 60) continue;
    if (all.filter((q) => q.distanceTo(p) < 25).length > 1) continue;
    return { call_sign: u.call_sign, kind: u.kind, x: box.left + p.x, y: box.top + p.y };
  }
  return null;
})()"""


def _texts(page, kind: str) -> set[str]:  # type: ignore[no-untyped-def]
    return {lb["text"] for lb in page.evaluate(LABELS) if lb["kind"] == kind}


def _legend(page) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    """The legend's groups: data-group → [heading, item texts…]."""
    return page.evaluate("""Object.fromEntries(
      [...document.querySelectorAll('#legend .legend-group')].map((g) => [g.dataset.group,
        [g.querySelector('h4').textContent,
         ...[...g.querySelectorAll('span')].map((s) => s.textContent)]]))""")


def _hover(page, unit: dict) -> str:  # type: ignore[no-untyped-def]
    page.mouse.move(5, 5)  # off the map, then straight onto the unit
    page.mouse.move(unit["x"], unit["y"])
    tip = page.wait_for_selector(f'.leaflet-tooltip .map-tip:has-text("{unit["call_sign"]}")')
    return tip.inner_text()


def test_map_labels_and_legend_in_chinese_then_english(demo, browser, shots: Path) -> None:  # type: ignore[no-untyped-def]
    page = new_page(browser)
    login(page, demo, "commander")
    page.goto(demo.url + "/#map")
    page.wait_for_selector("#live.ok")
    catalogue = demo.call("GET", "/catalogue/unit-kinds", demo.token("commander")).json()
    kinds = {k["code"]: k for k in catalogue}
    # the whole city: key areas and main roads named
    wait_until(page, f"{LABELS}.some((l) => l.text === '音乐喷泉')")
    assert {"音乐喷泉", "中心广场", "博物馆"} <= _texts(page, "area")
    assert "鄂尔多斯大街" in _texts(page, "road")

    # closer in, every unit's call sign is written (where it does not overlap another label)
    page.evaluate("window.pingan.maps.map.setZoom(15, {animate: false})")
    wait_until(page, f"{LABELS}.some((l) => l.kind === 'unit')")
    live = set(page.evaluate("[...window.pingan.state.units.values()].map((u) => u.call_sign)"))
    assert _texts(page, "unit") <= live
    page.screenshot(path=shots / "map-labels.png")

    legend = _legend(page)
    assert list(legend) == ["status", "kind", "priority", "crowd"]
    assert legend["status"][0] == "警力状态" and "空闲" in legend["status"]
    assert legend["kind"][0] == "警力类型" and "巡逻车" in legend["kind"]
    assert legend["priority"][:2] == ["警情等级", "一级 · 危及生命"]
    for texts in legend.values():  # words, no codes
        assert not any(re.search(r"\b(available|patrol_car|P1|normal)\b", x) for x in texts), texts

    unit = wait_until(page, LONE_UNIT)
    tip = _hover(page, unit)
    assert kinds[unit["kind"]]["name_zh"] in tip and "定位" in tip
    assert not re.search(r"\b(available|dispatched|en_route|on_scene)\b", tip), tip
    page.mouse.click(unit["x"], unit["y"])
    page.wait_for_selector(f'#map-detail h3:has-text("{unit["call_sign"]}")')
    detail_zh = page.inner_text("#map-detail")
    assert "定位" in detail_zh

    page.click("#lang")  # English: labels, legend, tooltip and the open detail all follow
    wait_until(page, f"{LABELS}.some((l) => l.text === 'Music Fountain')")
    assert not any(CJK.search(t) for t in _texts(page, "area") | _texts(page, "road"))
    assert "Ordos Avenue" in _texts(page, "road")
    legend = _legend(page)
    assert [g[0] for g in legend.values()] == [
        "Unit status", "Unit kind", "Incident priority", "Key-area crowds"
    ]  # fmt: skip
    assert "Priority 1 · life at risk" in legend["priority"] and "Patrol car" in legend["kind"]
    assert not any(CJK.search(x) for texts in legend.values() for x in texts), legend
    detail_en = page.inner_text("#map-detail")
    assert "Last fix" in detail_en and not CJK.search(detail_en.replace(unit["call_sign"], ""))
    unit = wait_until(page, LONE_UNIT)
    tip = _hover(page, unit)
    assert kinds[unit["kind"]]["name_en"] in tip and "Last fix" in tip
    assert not CJK.search(tip.replace(unit["call_sign"], ""))
    page.screenshot(path=shots / "map-labels-en.png")
    page.close()
