"""Early warnings in the browser (预警劝阻): the commander imports the known fraud numbers and
the operator's contact feed from files, the warning appears graded high, and is given to the
demo officer; the officer finds it among their tasks, reads the number to call, and records
that the person was dissuaded — the loop closed on the commander's board too."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from tests.web.browser import login, new_page, wait_until

pytestmark = pytest.mark.timeout(180)


def _files(page, form: str, name: str, text: str) -> None:  # type: ignore[no-untyped-def]
    page.set_input_files(
        f"{form} input[name=file]",
        files=[{"name": name, "mimeType": "text/plain", "buffer": text.encode()}],
    )
    page.click(f"{form} button[type=submit]")


def test_a_feed_becomes_a_graded_task_that_the_officer_closes(demo, browser, shots):  # type: ignore[no-untyped-def]
    rng = random.Random()
    fraud = f"950{rng.randrange(10**8):08d}"
    person = f"139{rng.randrange(10**8):08d}"
    masked = person[:3] + "****" + person[-4:]
    at = (datetime.now(UTC) - timedelta(minutes=30)).isoformat()

    boss = new_page(browser)
    try:
        login(boss, demo, "commander")
        boss.goto(demo.url + "/#dissuade")
        boss.wait_for_selector("#fd-import-card:not([hidden])")
        _files(
            boss,
            "#fd-numbers-form",
            "numbers.csv",
            f"number,fraud_type,source\n{fraud},authority,feed\n",
        )
        wait_until(boss, "document.querySelector('#fd-numbers-form .form-note.ok') !== null")
        feed = f"number,person_phone,kind,duration_s,at\n{fraud},{person},call,95,{at}\n"
        _files(boss, "#fd-feed-form", "feed.csv", feed)
        wait_until(boss, "document.querySelector('#fd-feed-form .form-note.ok') !== null")
        row = f"#fd-warnings tr[data-grade=high]:has-text('{masked}')"
        boss.wait_for_selector(row)
        assert boss.locator(row).get_attribute("data-status") == "new"
        assert "60" in boss.locator(f"{row} [data-reason=long_call]").inner_text()
        boss.fill(f"{row} input[name=officer]", "officer")
        boss.click(f"{row} button[data-step=assign]")
        boss.wait_for_selector(f"{row}[data-status=assigned]")
        warning_id = boss.locator(row).get_attribute("data-warning")
        boss.screenshot(path=str(shots / "fraud-dissuade-board.png"))
    finally:
        boss.close()

    page = new_page(browser, width=900)
    try:
        login(page, demo, "officer")
        page.goto(demo.url + "/#dissuade")
        task = f"#fd-mine .fd-task[data-warning='{warning_id}']"
        page.wait_for_selector(task)
        assert page.locator("#fd-board-card").is_hidden()
        page.click(f"{task} button[data-step=phone]")
        wait_until(
            page, f"document.querySelector(\"{task} .fd-phone\").textContent.includes('{person}')"
        )
        page.select_option(f"{task} select[name=outcome]", "dissuaded")
        page.fill(f"{task} textarea[name=note]", "已电话劝阻，当事人停止转账")
        page.click(f"{task} button[type=submit]")
        page.wait_for_selector(f"{task}[data-status=closed] .fd-result")
        page.screenshot(path=str(shots / "fraud-dissuade-officer.png"))
    finally:
        page.close()

    r = demo.call("GET", f"/fraud/warnings/{warning_id}", demo.token("commander"))
    assert r.json()["status"] == "closed" and r.json()["outcome"] == "dissuaded"
