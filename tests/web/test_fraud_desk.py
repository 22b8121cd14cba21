"""The anti-fraud pages: the officer's desk (反诈止付) takes a victim's report with two
transfers, the stop orders appear and are answered in the state the demo's banks give (the
exact words of that state), the golden-time clock ticks; an auditor reads the same case with no
button to press; a resident reports her own loss from the phone page (反诈报案), sees it in "my
reports", and the states of the orders an officer then sends, in plain words. The yuan typed
is read digit by digit into integer fen (js/money.js, checked in the page)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.web.browser import login, new_page, wait_until

pytestmark = pytest.mark.timeout(300)
BEIJING = ZoneInfo("Asia/Shanghai")
PHONE = {"width": 420, "height": 900}
VICTIM = {"name": "王秀兰", "id_number": "150602198803151027", "phone": "13912345678"}
# the words each answered state shows on the desk (js/fraud.js fd_o_*) and, plainly, to the
# resident (js/fraudreport.js fr_o_*): the demo's banks decide which one the orders reach
DESK_WORDS = {
    "unavailable": "银行未应答",
    "stopped": "已止付",
    "not_stopped": "未止付",
    "refused": "银行拒收指令",
    "unknown_account": "账户不存在",
    "released": "已解除",
}
ORDERS = "#fd-orders li.fd-order"
SETTLED = (
    f"[...document.querySelectorAll('{ORDERS}')].every((li) => li.dataset.state !== 'sending')"
)
PLAIN_WORDS = {
    "sending": "受理中",
    "unavailable": "受理中",
    "refused": "受理中",
    "stopped": "已止付",
    "not_stopped": "未能止付",
    "unknown_account": "未能止付",
}


def _local(minutes_ago: int) -> str:
    """A datetime-local value in Beijing time, `minutes_ago` before now."""
    return (datetime.now(BEIJING) - timedelta(minutes=minutes_ago)).strftime("%Y-%m-%dT%H:%M")


def _fill_row(page, row: int, values: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    box = f"fieldset.fw-transfer[data-row='{row}']"
    page.select_option(f"{box} select[name=channel]", values.pop("channel"))
    for name, value in values.items():
        page.fill(f"{box} input[name={name}]", value)


def test_yuan_is_read_into_fen_digit_by_digit(demo, browser) -> None:  # type: ignore[no-untyped-def]
    page = new_page(browser)
    try:
        login(page, demo, "officer")
        got = page.evaluate(
            """async () => {
              const m = await import("/static/js/money.js");
              const cases = ["50000.5", "50000.50", "0.29", "1,000.01", "1.234", "abc", "0", "",
                             "-5", "10000000000000.01", "9999999999999.99"];
              return {
                parsed: cases.map((c) => [c, m.parseYuan(c)]),
                back: [5000050, 29, 5, 123456789].map((f) => m.fenToYuan(f, { group: true })),
                iso: ["2026-10-02T09:15", "2026-10-02T09:15:42", "x"].map(m.beijingIso),
                clock: [m.clockText(65), m.clockText(3725)],
              };
            }"""
        )
        parsed = dict(got["parsed"])
        assert parsed["50000.5"] == {"fen": 5000050}
        assert parsed["50000.50"] == {"fen": 5000050}
        assert parsed["0.29"] == {"fen": 29}  # 0.29 * 100 is 28.999999999999996 as a float
        assert parsed["1,000.01"] == {"fen": 100001}
        assert parsed["1.234"] == {"error": "decimals"}
        assert parsed["abc"] == {"error": "format"}
        assert parsed["-5"] == {"error": "format"}
        assert parsed["0"] == {"error": "zero"}
        assert parsed[""] == {"error": "empty"}
        assert parsed["10000000000000.01"] == {"error": "too_large"}
        assert parsed["9999999999999.99"] == {"fen": 999999999999999}
        assert got["back"] == ["50,000.50", "0.29", "0.05", "1,234,567.89"]
        assert got["iso"] == ["2026-10-02T09:15:00+08:00", "2026-10-02T09:15:42+08:00", None]
        assert got["clock"] == ["01:05", "1:02:05"]
    finally:
        page.close()


def _check_orders(page) -> list[str]:  # type: ignore[no-untyped-def]
    """Each answered order of the open case in its state's exact words, with what that state
    shows beside them; the states, in order."""
    orders = page.evaluate(
        f"[...document.querySelectorAll('{ORDERS}')].map((x) => [x.dataset.order, x.dataset.state])"
    )
    for order_id, state in orders:
        li = f"#fd-orders li.fd-order[data-order='{order_id}']"
        assert state in DESK_WORDS, state
        assert page.inner_text(f"{li} .fd-state") == DESK_WORDS[state]
        if state == "unavailable":  # no gateway for the bank: its message and a resend
            assert page.inner_text(f"{li} .fd-error").strip()
            assert page.is_visible(f"{li} button[data-act=resend]")
        if state == "stopped":  # 48 h from the bank's stop time, counting down
            left = int(page.get_attribute(f"{li} .fw-until", "data-left-s"))
            assert 47 * 3600 < left <= 48 * 3600
        if state == "not_stopped":  # the fields the bank found different, in words
            assert page.inner_text(f"{li} .fd-mismatch").startswith("信息不符：")
    return [state for _, state in orders]


def test_officer_files_a_report_and_follows_its_stop_orders(demo, browser, shots) -> None:  # type: ignore[no-untyped-def]
    page = new_page(browser)
    try:
        login(page, demo, "officer")
        page.goto(demo.url + "/#fraud")
        page.wait_for_selector("#view-fraud:not([hidden]) #fd-new:not([hidden])")
        page.click("#fd-new")
        page.wait_for_selector("#fd-form:not([hidden]) fieldset.fw-transfer[data-row='0']")
        for name, value in VICTIM.items():
            page.fill(f"#fd-form input[name={name}]", value)
        page.select_option("#fd-form select[name=fraud_type]", "investment")
        page.fill("#fd-form input[name=fraud_phone]", "+85261234567")
        page.fill("#fd-form textarea[name=description]", "网友推荐投资平台，充值后无法提现")
        _fill_row(
            page,
            0,
            {
                "channel": "online_banking",
                "payer_account": "6222020200112233445",
                "payer_bank": "icbc",
                "payee_account": "6228480012345678901",
                "payee_name": "李四",
                "payee_bank": "ABC",
                "amount": "50000.5",
                "tx_time": _local(20),
                "serial_no": "T202612070001",
            },
        )
        page.click("#fd-add")
        page.wait_for_selector("fieldset.fw-transfer[data-row='1']")
        _fill_row(
            page,
            1,
            {
                "channel": "alipay",
                "payer_account": "6222020200112233445",
                "payer_bank": "ICBC",
                "payee_account": "2088123456789012",
                "payee_name": "张三",
                "payee_bank": "ALIPAY",
                "amount": "1200.555",
                "tx_time": _local(15),
            },
        )
        page.click("#fd-form button[type=submit]")
        # a third decimal is refused under the field, nothing sent
        err = "fieldset.fw-transfer[data-row='1'] .field-error[data-for=amount]"
        wait_until(page, f"document.querySelector(\"{err}\").textContent !== ''")
        assert page.inner_text(err) == "金额最多两位小数（分）"
        assert page.inner_text("#fd-form-note") == "请改正标红的项目"
        page.fill("fieldset.fw-transfer[data-row='1'] input[name=amount]", "1200.5")
        assert page.is_checked("#fd-form input[name=send]")  # stop orders go at once by default
        page.click("#fd-form button[type=submit]")
        case_no = page.wait_for_selector("#fd-form-note .case-no").inner_text()
        assert case_no.startswith("FZ")
        page.wait_for_selector(f"#fd-detail h3:has-text('{case_no}')")
        case_id = int(page.get_attribute("#fd-detail", "data-case"))

        # the API holds the amounts as exact fen and the times as typed in Beijing time
        token = demo.token("officer")
        case = demo.call("GET", f"/fraud/cases/{case_id}", token).json()
        assert sorted(t["amount_fen"] for t in case["transfers"]) == [120050, 5000050]
        assert {t["payer_bank"] for t in case["transfers"]} == {"ICBC"}
        assert case["loss_fen"] == 5120100
        assert case["victim_name_masked"] != VICTIM["name"]  # masked on every screen

        # one stop order per receiving account, listed in the case
        wait_until(page, f"document.querySelectorAll('{ORDERS}').length === 2")
        page.wait_for_selector(f"#fd-cases tr[data-case='{case_id}']")

        # the golden-time clock counts up (about 20 minutes in: still golden, green)
        clock = "#fd-detail .fw-golden"
        first = int(page.get_attribute(clock, "data-golden-s"))
        assert 19 * 60 <= first < 30 * 60
        wait_until(
            page,
            f"Number(document.querySelector('{clock}').dataset.goldenS) > {first}",
            timeout=5000,
        )
        if not case["first_stop_at"]:
            assert "golden" in page.get_attribute(clock, "class")

        # the orders are answered in whatever state the demo's banks give, in that state's words
        wait_until(page, SETTLED, timeout=60_000)
        states = _check_orders(page)
        page.screenshot(path=str(shots / "fraud-desk.png"), full_page=True)

        # resend where the bank did not answer: the order goes out again, then is answered
        if "unavailable" in states:
            li = "#fd-orders li.fd-order[data-state='unavailable']"
            order_id = page.get_attribute(li, "data-order")
            with page.expect_response(
                lambda r: r.url.endswith(f"/orders/{order_id}/resend")
            ) as sent:
                page.click(f"{li} button[data-act=resend]")
            assert sent.value.status == 200, sent.value.text()
            wait_until(page, SETTLED, timeout=60_000)
            again = f"#fd-orders li.fd-order[data-order='{order_id}']"
            assert page.get_attribute(again, "data-state") in DESK_WORDS
    finally:
        page.close()

    # an auditor reads the same case: every figure, no form, no button
    page = new_page(browser)
    try:
        login(page, demo, "auditor")
        page.goto(demo.url + "/#fraud")
        page.wait_for_selector(f"#fd-cases tr[data-case='{case_id}']")
        assert not page.is_visible("#fd-new")
        page.click(f"#fd-cases tr[data-case='{case_id}'] button.case")
        page.wait_for_selector(f"#fd-detail h3:has-text('{case_no}')")
        wait_until(page, f"document.querySelectorAll('{ORDERS}').length === 2")
        assert page.evaluate("document.querySelectorAll('#fd-detail button').length") == 0
    finally:
        page.close()


def test_officer_sends_the_stop_orders_of_a_case_that_waits(demo, browser, shots) -> None:  # type: ignore[no-untyped-def]
    """The demo's fresh report (filed by the officer minutes ago, its orders not sent yet, where
    the demo has banks of its own): sent from the case, the orders come back answered; once a
    stop holds, the golden-time clock stops."""
    token = demo.token("officer")
    listed = demo.call("GET", "/fraud/cases?status=open&limit=100", token).json()["items"]
    waiting = [c for c in listed if c["source"] == "officer" and not c["first_order_at"]]
    if not waiting:
        pytest.skip("the demo files no report whose stop orders wait for the officer")
    case = waiting[0]
    page = new_page(browser)
    try:
        login(page, demo, "officer")
        page.goto(demo.url + "/#fraud")
        page.click(f"#fd-cases tr[data-case='{case['id']}'] button.case")
        page.wait_for_selector(f"#fd-detail h3:has-text('{case['case_no']}')")
        assert page.inner_text("#fd-detail").count("尚未发送止付指令") == 1
        page.click("#fd-detail button[data-act=send]")
        wait_until(page, f"document.querySelectorAll('{ORDERS}').length > 0")
        wait_until(page, SETTLED, timeout=60_000)
        states = _check_orders(page)
        if "stopped" in states:
            clock = "#fd-detail .fw-golden"
            wait_until(page, f"document.querySelector('{clock}').dataset.goldenEnd !== ''")
            held = page.get_attribute(clock, "data-golden-s")
            page.wait_for_timeout(1500)
            assert page.get_attribute(clock, "data-golden-s") == held
            assert demo.call("GET", f"/fraud/cases/{case['id']}", token).json()["held_fen"] > 0
            # releasing a stop asks for the reason first, then the release is answered
            li = f"{ORDERS}[data-state='stopped'][data-kind='stop']"
            assert not page.is_visible(f"{li} .fd-confirm")
            page.click(f"{li} button[data-act=release]")
            page.click(f"{li} button[data-act=release-confirm]")
            assert page.inner_text(f"{li} .fd-release .error") == "请写明理由"
            page.fill(f"{li} .fd-confirm input[name=reason]", "受害人与收款人已和解")
            page.click(f"{li} button[data-act=release-confirm]")
            page.wait_for_selector(f"{ORDERS}[data-kind='release']")
            wait_until(page, SETTLED, timeout=60_000)
            assert "released" in _check_orders(page)
            # where the money went on: the stopped accounts' banks asked, a proposal stopped
            before = len(page.query_selector_all(ORDERS))
            page.click("#fd-detail button[data-act=trail-refresh]")
            wait_until(page, "document.querySelector('#fd-trail').innerText.includes('查询时间')")
            row = "#fd-proposals tbody tr:has(button[data-act=trail-stop])"
            unnamed = f"{row}:has(input[name=name])"  # the bank gave no name: the officer types it
            if page.query_selector(unnamed):
                row = unnamed
            if page.query_selector(row):
                account = page.get_attribute(row, "data-account")
                row = f"#fd-proposals tbody tr[data-account='{account}']"
                if page.query_selector(f"{row} input[name=name]"):
                    page.click(f"{row} button[data-act=trail-stop]")
                    # a bank's answer may draw the trail again meanwhile: wait for the words
                    page.wait_for_selector(f"{row} .error:text-is('户名（银行未提供，请填写）')")
                    page.fill(f"{row} input[name=name]", "王五")
                page.click(f"{row} button[data-act=trail-stop]")
                wait_until(page, f"document.querySelectorAll('{ORDERS}').length > {before}")
                page.wait_for_selector(
                    f"#fd-proposals tr[data-account='{account}']:has-text('已发止付指令')"
                )
                wait_until(page, SETTLED, timeout=60_000)
                _check_orders(page)
        page.screenshot(path=str(shots / "fraud-desk-sent.png"), full_page=True)
    finally:
        page.close()


def test_resident_reports_from_the_phone_and_follows_it(demo, browser, shots) -> None:  # type: ignore[no-untyped-def]
    page = new_page(browser, **PHONE)
    try:
        login(page, demo, "citizen")
        page.goto(demo.url + "/#fraudreport")
        page.wait_for_selector("#view-fraudreport:not([hidden]) fieldset.fw-transfer[data-row='0']")
        assert page.evaluate("document.body.classList.contains('phone-view')")
        assert "96110" in page.inner_text("#view-fraudreport .fr-advice")
        page.fill("#fr-form input[name=name]", "刘晓燕")
        page.fill("#fr-form input[name=id_number]", "150602198803151027")
        page.fill("#fr-form input[name=phone]", "13812345678")
        page.select_option("#fr-form select[name=fraud_type]", "customer_service")
        page.fill("#fr-form textarea[name=description]", "对方自称快递客服，说要理赔，让我转账验证")
        _fill_row(
            page,
            0,
            {
                "channel": "wechat_pay",
                "payer_account": "6217000010001234567",
                "payer_bank": "CCB",
                "payee_account": "wxfraud0001",
                "payee_name": "赵六",
                "payee_bank": "TENPAY",
                "amount": "2999",
                "tx_time": _local(10),
            },
        )
        page.click("#fr-form button[type=submit]")
        case_no = page.wait_for_selector("#fr-result .case-no").inner_text()
        item = page.wait_for_selector(f"#fr-mine li:has(.case-no:text-is('{case_no}'))")
        case_id = int(item.get_attribute("data-case"))
        text = item.inner_text()
        assert "警方处理中" in text and "2,999.00 元" in text
        assert "民警核实后发送止付指令" in text  # a resident's report sends no order itself
        seconds = int(
            page.get_attribute(f"#fr-mine li[data-case='{case_id}'] .fw-golden", "data-golden-s")
        )
        assert 9 * 60 <= seconds < 12 * 60

        # an officer checks it and sends the stop order; the resident reads its state plainly
        r = demo.call(
            "POST",
            f"/fraud/cases/{case_id}/stops",
            demo.token("officer"),
            json={"transfer_ids": None},
        )
        assert r.status_code == 201, r.text
        chip = f"#fr-mine li[data-case='{case_id}'] .fr-order"
        page.wait_for_selector(chip, timeout=15_000)
        chips = f'[...document.querySelectorAll("{chip}")]'
        wait_until(page, f"{chips}.every((c) => c.dataset.state !== 'sending')", timeout=60_000)
        state = page.get_attribute(chip, "data-state")
        assert state in PLAIN_WORDS, state
        assert page.inner_text(chip) == f"2,999.00 元 {PLAIN_WORDS[state]}"
        page.screenshot(path=str(shots / "fraud-report-phone.png"), full_page=True)
    finally:
        page.close()
