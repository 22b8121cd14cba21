"""The family search desk (寻亲比对), on the demo. The analyst's only view: the four demo cases
(masked names), filtered by side and found by number; the adoptee 巴特尔's case searched, the
full sibling in the 王 family ranked first and strong; its per-locus evidence read only after a
reason (audited with it); confirmed with a note. The reviewer, who may neither search nor
import, confirms it too, makes the signed report and downloads it as a PDF, and records that
the family was told. A malformed profile file is refused line by line in Chinese and nothing is
stored; a text file is refused as a photo and a PNG is added and shown as a thumbnail; the page
switches to English; at phone width nothing runs off the screen."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from tests.web.browser import login, new_page, wait_until
from tests.web.visits_steps import watch

pytestmark = pytest.mark.timeout(300)

KIN = "/kinship"
SEARCHED_PLACE = "锡林郭勒盟阿巴嘎旗"  # 巴特尔's case (sim/data/kinship/cases.yaml, A1)
FAMILY_PLACE = "上海市"  # the 王 family's (F1): his elder brother and a nephew without consent
FIRST = ".kn-candidate[data-rank='1']"


def _cases(demo, token: str) -> list[dict]:  # type: ignore[no-untyped-def, type-arg]
    r = demo.call("GET", f"{KIN}/cases", token, params={"limit": 100})
    assert r.status_code == 200, r.text
    return r.json()["items"]


def _case(demo, token: str, place: str) -> dict:  # type: ignore[no-untyped-def, type-arg]
    return next(c for c in _cases(demo, token) if c["place"] == place)


def _rows(page) -> int:  # type: ignore[no-untyped-def]
    return page.locator("#kn-cases tr[data-case]").count()


def test_the_analyst_and_the_reviewer_confirm_the_demo_match(
    demo, browser, shots: Path, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    analyst = demo.token("analyst")
    cases = _cases(demo, analyst)
    adoptee = _case(demo, analyst, SEARCHED_PLACE)
    family = demo.call(
        "GET", f"{KIN}/cases/{_case(demo, analyst, FAMILY_PLACE)['id']}", analyst
    ).json()
    unsigned = next(p for p in family["persons"] if not p["consent"])

    page = new_page(browser, width=1500, height=1000)
    # the refused files below (a photo that shows is checked by its drawn width)
    problems = watch(page, allowed=("/profiles/import", "/photos"))
    try:
        login(page, demo, "analyst")
        assert page.evaluate(
            "[...document.querySelectorAll('#nav a')].map((a) => a.dataset.view)"
        ) == ["kinship"]
        page.wait_for_selector("#view-kinship:not([hidden]) #kn-cases tr[data-case]")
        listed = page.inner_text("#kn-cases")
        assert _rows(page) == len(cases) == 4
        assert all(c["case_no"] in listed for c in cases)
        assert "巴**" in listed and "巴特尔" not in listed  # masked names only
        assert "被收养人" in listed and "寻亲家庭" in listed

        # filtered by side, then found by its number
        page.select_option("#kn-side", "adoptee")
        wait_until(page, "document.querySelectorAll('#kn-cases tr[data-case]').length === 2")
        page.fill("#kn-find input[name=q]", adoptee["case_no"])
        page.click("#kn-find button[type=submit]")
        wait_until(page, "document.querySelectorAll('#kn-cases tr[data-case]').length === 1")

        # the case: its subject and donor (consent, profile), then the search
        page.click(f"#kn-cases tr[data-case='{adoptee['id']}']")
        page.wait_for_selector(f"#kn-case-title[data-case='{adoptee['id']}']")
        donors = page.inner_text("#kn-persons")
        assert "本人" in donors and "签署" in donors and "40 个位点" in donors
        page.click("#kn-search")
        page.wait_for_selector("#kn-search-result[data-done=yes]", timeout=60_000)
        page.wait_for_selector(FIRST)
        assert page.get_attribute(FIRST, "data-strong") == "yes"
        assert page.get_attribute(FIRST, "data-relation") == "full_siblings"
        first = page.inner_text(FIRST)
        assert (
            "全同胞" in first
            and "强支持" in first
            and "待复核" in first
            and family["case_no"] in first
        )
        assert "后验概率" in first and "%" in first and "线粒体" in first
        cid = int(page.get_attribute(FIRST, "data-candidate"))
        cand = demo.call("GET", f"{KIN}/candidates/{cid}", analyst).json()
        # the pair stands once, the half-sibling hypothesis beside it and lower
        listed = demo.call("GET", f"{KIN}/candidates", analyst,
                           params={"case_id": adoptee["id"]}).json()["items"]  # fmt: skip
        pairs = [frozenset((c["a"]["sample_id"], c["b"]["sample_id"])) for c in listed]
        assert len(pairs) == len(set(pairs))
        assert page.locator(".kn-candidate").count() == len(listed)
        assert "其他关系假设" in first and "半同胞" in first
        half = page.get_attribute(f"{FIRST} .kn-alternatives [data-relation=half_siblings] .kn-lr",
                                  "data-log10")  # fmt: skip
        assert float(half) == pytest.approx(cand["alternatives"]["half_siblings"], abs=0.01)
        assert float(half) < cand["log10_lr"]
        assert float(
            page.get_attribute(f"{FIRST} .kn-figure:first-child .kn-lr", "data-log10")
        ) == pytest.approx(cand["log10_lr"], abs=0.01)

        # the per-locus evidence: a reason first, then the loci (the read audited with it)
        page.click(f"{FIRST} button.kn-evidence")
        page.click(f"{FIRST} form.kn-evidence-form button[type=submit]")
        assert page.inner_text(f"{FIRST} form.kn-evidence-form .error") == "请写明查阅事由"
        assert page.locator(f"{FIRST} table.kn-loci").count() == 0
        page.fill(f"{FIRST} form.kn-evidence-form input[name=text]", "复核比中：核对逐位点分型")
        page.click(f"{FIRST} form.kn-evidence-form button[type=submit]")
        page.wait_for_selector(f"{FIRST} table.kn-loci")
        assert (
            page.locator(f"{FIRST} table.kn-loci tr[data-locus]").count() == cand["loci_compared"]
        )
        assert "出生年份" in page.inner_text(f"{FIRST} table.kn-context")
        wanted = {"action": "kinship.evidence_read", "object_id": str(cid)}
        audit = demo.call("GET", "/audit", demo.token("auditor"), params=wanted).json()
        assert any("复核比中：核对逐位点分型" in str(r) for r in audit["items"]), audit

        # confirmed with a note; not offered again to the same account
        page.click(f"{FIRST} button.kn-confirm")
        page.fill(f"{FIRST} form.kn-confirm-form input[name=text]", "逐位点核对无误")
        page.click(f"{FIRST} form.kn-confirm-form button[type=submit]")
        page.wait_for_selector(
            f"{FIRST} .kn-reviews li[data-reviewer=analyst][data-decision=confirm]"
        )
        assert page.locator(f"{FIRST} .kn-reviewed").count() == 1
        assert page.locator(f"{FIRST} button.kn-confirm").count() == 0
        page.screenshot(path=str(shots / "kinship-desk.png"), full_page=True)

        # the power analysis of the case, with its advice in words
        page.click("#kn-power button[type=submit]")
        page.wait_for_selector("#kn-power-result .kn-advice", timeout=60_000)
        assert page.get_attribute("#kn-power-result .kn-advice", "data-advice") in (
            "enough", "add_markers", "add_relatives", "add_markers_or_relatives")  # fmt: skip
        assert "建议" in page.inner_text("#kn-power-result") and "检出率" in page.inner_text(
            "#kn-power-result"
        )

        # a malformed file: each faulty line refused with its reason in Chinese, nothing stored
        bad = tmp_path / "bad.csv"
        bad.write_text(
            "Sample Name,Marker,Allele 1,Allele 2\n"
            f"{adoptee_sample(demo, analyst, adoptee['id'])},D99S999,12,14\n"
            f"{unsigned['sample_id']},D3S1358,15,16\n",
            encoding="utf-8",
        )
        before = {c["id"]: c["profiles"] for c in _cases(demo, analyst)}
        page.set_input_files("#kn-import input[name=file]", str(bad))
        page.click("#kn-import button[type=submit]")
        page.wait_for_selector("#kn-import-errors li")
        assert page.get_attribute("#kn-import-result", "data-outcome") == "refused"
        assert "文件未导入" in page.inner_text("#kn-import-result")
        refused = {
            li.get_attribute("data-code"): li.inner_text()
            for li in page.locator("#kn-import-errors li").all()
        }
        assert "第 2 行" in refused["unknown_locus"] and "未知位点" in refused["unknown_locus"], (
            refused
        )
        assert "第 3 行" in refused["no_consent"] and "未签署知情同意" in refused["no_consent"], (
            refused
        )
        assert {c["id"]: c["profiles"] for c in _cases(demo, analyst)} == before

        # a photo of the case: a text file refused in words, a PNG shown as a thumbnail
        note, photo = tmp_path / "note.png", tmp_path / "child.png"
        note.write_text("不是照片", encoding="utf-8")
        _, png = cv2.imencode(".png", np.full((60, 80, 3), (40, 120, 200), dtype=np.uint8))
        photo.write_bytes(png.tobytes())
        form = "#kn-photo-form"
        page.set_input_files(f"{form} input[name=file]", str(note))
        page.click(f"{form} button[type=submit]")
        page.wait_for_selector(f"{form} .form-note[data-outcome=refused]")
        assert page.get_attribute(f"{form} .form-note", "data-code") == "bad_photo_type"
        assert "JPEG 或 PNG" in page.inner_text(f"{form} .form-note")
        page.set_input_files(f"{form} input[name=file]", str(photo))
        page.fill(f"{form} input[name=caption]", "1960年保育院合影")
        page.click(f"{form} button[type=submit]")
        thumb = ".kn-photos img.kn-thumb"
        page.wait_for_selector(thumb)
        wait_until(page, f"document.querySelector('{thumb}').naturalWidth > 0")
        assert page.evaluate(f"document.querySelector('{thumb}').naturalWidth") == 80
        assert "1960年保育院合影" in page.inner_text(".kn-photos")

        # in English
        page.click("#lang")
        wait_until(page, "document.documentElement.lang === 'en'")
        page.wait_for_selector(f"{FIRST} .kn-reviews li")
        assert page.inner_text("#kn-top h2") == "Family search (the nation's children)"
        first = page.inner_text(FIRST)
        assert "Full siblings" in first and "Strong" in first and "Posterior" in first, first
        assert "Relatives who gave samples" in page.inner_text("#kn-case")
        page.click("#lang")
        wait_until(page, "document.documentElement.lang === 'zh-CN'")
    finally:
        page.close()
    assert problems == [], problems

    # the reviewer: no search, import or new case; confirms, reports, tells the family
    page = new_page(browser, width=1500, height=1000)
    problems = watch(page)
    try:
        login(page, demo, "reviewer")
        page.goto(f"{demo.url}/#kinship/{adoptee['id']}")
        page.wait_for_selector(f"#kn-case-title[data-case='{adoptee['id']}']")
        page.wait_for_selector(FIRST)
        for absent in ("#kn-search", "#kn-import", "#kn-new", "#kn-add-donor", "#kn-power"):
            assert page.locator(absent).count() == 0, absent
        assert page.locator(f"{FIRST} button.kn-evidence").count() == 1
        page.click(f"{FIRST} button.kn-confirm")
        page.click(
            f"{FIRST} form.kn-confirm-form button[type=submit]"
        )  # a confirm's note may be left empty
        page.wait_for_selector(f"{FIRST}[data-status=confirmed]")
        assert "已确认" in page.inner_text(FIRST)

        page.click(f"{FIRST} button.kn-make-report")
        page.wait_for_selector(f"{FIRST} button.kn-download")
        with page.expect_download() as got:
            page.click(f"{FIRST} button.kn-download")
        pdf = Path(got.value.path()).read_bytes()
        assert pdf.startswith(b"%PDF"), pdf[:20]
        assert got.value.suggested_filename.endswith(".pdf")

        page.click(f"{FIRST} button.kn-notify")
        page.fill(f"{FIRST} form.kn-notify-form input[name=text]", "电话告知王建国，约定采血复核")
        page.click(f"{FIRST} form.kn-notify-form button[type=submit]")
        page.wait_for_selector(f"{FIRST}[data-status=notified]")
        assert "已告知家属" in page.inner_text(FIRST)
    finally:
        page.close()
    assert problems == [], problems
    assert demo.call("GET", f"{KIN}/candidates/{cid}", analyst).json()["status"] == "notified"
    assert demo.call("GET", f"{KIN}/cases/{adoptee['id']}", analyst).json()["status"] == "matched"

    # at phone width: the case and its candidates, nothing wider than the screen
    phone = new_page(browser, width=390, height=844, is_mobile=True, has_touch=True)
    try:
        login(phone, demo, "reviewer")
        phone.goto(f"{demo.url}/#kinship/{adoptee['id']}")
        phone.wait_for_selector(FIRST)
        assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        phone.screenshot(path=str(shots / "kinship-phone.png"), full_page=True)
    finally:
        phone.close()


def adoptee_sample(demo, token: str, case_id: int) -> str:  # type: ignore[no-untyped-def]
    """The adoptee's own sample (consented, profiled): a line naming it reaches the locus check."""
    persons = demo.call("GET", f"{KIN}/cases/{case_id}", token).json()["persons"]
    return next(p["sample_id"] for p in persons if p["relation"] == "self")
