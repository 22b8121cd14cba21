"""The simulated world's fraud cases: victims' reports and the banks' books agree — each
reported transfer is on its bank's ledger and a stop order made from the report gets the
answer the answer key says (stopped, or not stopped naming the field the victim got wrong)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from pingan.fraud import bank_rules
from pingan.fraud.messages import StopOrder
from pingan.fraud.synth import SYNTHETIC_MARK
from pingan.pii.id_number import normalise_id_number
from pingan.sim.fraud_world import (
    SLIPS,
    demo_cases,
    make_case,
    merged,
    misreport,
)

NOW = datetime(2026, 10, 2, 7, 30, tzinfo=UTC)
RULES = bank_rules.load_rules()


def _order(t: dict, n: int, at: datetime) -> StopOrder:  # type: ignore[type-arg]
    return StopOrder.model_validate(
        {"order_no": f"ZF-T-{n:04d}", "case_no": "FZ-T", "bank": t["payee_bank"],
         "requesting_unit": "平安市公安局反诈中心", "officer": "陈**",
         "issued_at": at.isoformat(), "tx_serial_no": t["serial_no"], "channel": t["channel"],
         "check": {k: t[k] for k in ("payee_name", "payee_account", "amount_fen", "tx_time")}}
    )  # fmt: skip


def _answers(cases) -> list[tuple[str, tuple[str, ...], str]]:  # type: ignore[no-untyped-def]
    """(the bank's result, the fields it named, what the answer key expected) per transfer."""
    books = {ledger.bank: ledger for ledger in merged(cases)}
    out = []
    for c in cases:
        at = c.report.reported_at + timedelta(minutes=2)
        for i, t in enumerate(c.report.body["transfers"]):
            result = bank_rules.stop(books[t["payee_bank"]], _order(t, len(out), at), at, RULES)
            out.append((result.result.result, result.result.mismatched, c.report.expected(i)))
    return out


def test_the_banks_answer_what_the_answer_key_says():
    rng = random.Random(5)
    cases = [
        make_case(rng, NOW - timedelta(hours=k), slip=(0, SLIPS[k % 3]) if k % 2 else None)
        for k in range(12)
    ]
    answers = _answers(cases)
    assert [r for r, _, _ in answers] == [e for _, _, e in answers]
    slips = [(c.report.slips[0],) for c in cases if c.report.slips]
    named = [m for r, m, _ in answers if r == "not_stopped"]
    assert named == slips and {s for (s,) in slips} == set(SLIPS)


def test_a_seed_gives_the_same_cases_and_books():
    def draw():  # type: ignore[no-untyped-def]
        rng = random.Random(11)
        return [make_case(rng, NOW - timedelta(minutes=40 * k)) for k in range(6)]

    first, second = draw(), draw()
    assert [c.report.body for c in first] == [c.report.body for c in second]
    assert merged(first) == merged(second)


def test_the_demo_cases_show_every_channel_the_desk_meets_and_each_slip():
    cases = demo_cases(NOW)
    transfers = [t for c in cases for t in c.report.body["transfers"]]
    channels = {t["channel"] for t in transfers}
    assert {"atm", "alipay", "online_banking", "bank", "wechat_pay"} <= channels
    assert {w for c in cases for w in c.report.slips.values()} == set(SLIPS)
    assert [c.report.reported_at < NOW - timedelta(minutes=60) for c in cases] == [
        True, True, True, False,
    ]  # fmt: skip
    fresh = cases[-1].report
    assert fresh.reported_at - fresh.paid_at < timedelta(minutes=30)  # still golden time
    answers = _answers(cases)
    assert [r for r, _, _ in answers] == [e for _, _, e in answers]
    assert demo_cases(NOW)[0].report.body == cases[0].report.body  # seeded


def test_the_money_moved_on_is_on_both_banks_books():
    """What a first-level account passed on is an onward transfer at its bank and an
    incoming one at the next bank, booked before the report, so the trail can propose it
    and a stop order for it matches."""
    cases = demo_cases(NOW)
    books = {ledger.bank: ledger for ledger in merged(cases)}
    seen = 0
    for c in cases:
        for t in c.report.booked:
            onward = bank_rules.onward(books[t.payee_bank], t.payee_account, t.booked_at)
            for o in onward.transfers:
                seen += 1
                assert t.booked_at <= o.booked_at < c.report.reported_at
                there = books[o.payee_bank]
                assert o.payee_account in there.accounts and o.serial_no in there.by_serial
            passed = sum(o.amount_fen for o in onward.transfers)
            account = books[t.payee_bank].accounts[t.payee_account]
            assert passed < t.amount_fen and account.balance_fen >= 0
    assert seen >= 3


def test_nobody_in_the_cases_exists():
    for c in demo_cases(NOW):
        victim = c.report.body["victim"]
        assert normalise_id_number(victim["id_number"]) == victim["id_number"]
        assert victim["id_number"].startswith("150603") and victim["phone"].startswith("139")
        assert victim["name"].endswith(SYNTHETIC_MARK)
        assert c.report.body["fraud_phone"].startswith("100")
        for ledger in c.ledgers:
            for account in ledger.accounts.values():
                assert account.name.endswith(SYNTHETIC_MARK)
                assert account.number.startswith(("9990", "9980"))


@pytest.mark.parametrize("what", SLIPS)
def test_a_slip_changes_one_field_the_way_victims_do(what):
    t = make_case(random.Random(3), NOW, channels=["online_banking"]).report.body["transfers"][0]
    wrong = misreport(random.Random(1), t, what)
    changed = {k for k in t if t[k] != wrong[k]}
    assert changed == {"amount_fen" if what == "amount" else what}
    if what == "payee_name":
        assert len(wrong["payee_name"]) == len(t["payee_name"])  # one character, a homophone
    if what == "amount":
        assert 200 <= wrong["amount_fen"] - t["amount_fen"] <= 2_500  # the fee on the SMS
    if what == "tx_time":
        off = datetime.fromisoformat(wrong["tx_time"]) - datetime.fromisoformat(t["tx_time"])
        assert timedelta(minutes=3) <= abs(off) <= timedelta(minutes=8)
