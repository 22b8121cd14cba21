"""The bank's rule (银发〔2016〕86号, 261号) on the sample ledger: each check field alone,
the 48 h stop, two stops at most, freezing, ATM revocation, integer fen."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from pingan.fraud import bank_rules
from pingan.fraud.bank_rules import Rules, load_rules
from pingan.fraud.banksim.ledger import MULE, VICTIM
from pingan.fraud.messages import CheckFields, ReleaseOrder, StopOrder
from pingan.sim.day import LOCAL
from tests.fraud.conftest import CHECK, NOW, at, atm_order, freeze_order, ledger, stop_order

RULES = load_rules()
MISMATCHES = {
    "payee_name": {"payee_name": "张伟伟"},
    "payee_account": {"payee_account": "6222020200998877666"},
    "amount": {"amount_fen": 5_000_001},
    "tx_time": {"tx_time": "2026-10-02T09:16:00+08:00"},
}


def test_rules_file_is_the_published_rule():
    assert Rules() == RULES  # 48 h, two stops, six months, 24 h, to the minute, UTC+8


def test_all_four_match_stops_for_exactly_48_hours_holding_what_is_left():
    out = bank_rules.stop(ledger(), stop_order(), NOW, RULES)
    r = out.result
    assert (r.result, r.mismatched, r.stop_count) == ("stopped", (), 1)
    assert r.stopped_at == NOW and r.stop_until - r.stopped_at == timedelta(hours=48)
    assert r.balance_held_fen == 500_000  # min(balance ¥5,000.00, amount ¥50,000.00)
    state = bank_rules.account_state(out.ledger, MULE, at(hours=47, minutes=59))
    assert (state.status, state.held_fen, state.name_masked) == ("stopped", 500_000, "张*")
    assert bank_rules.account_state(out.ledger, MULE, at(hours=48)).status == "open"


@pytest.mark.parametrize("field", list(MISMATCHES))
def test_each_field_alone_mismatched_is_not_stopped_naming_it(field):
    book = ledger()
    out = bank_rules.stop(book, stop_order(check=MISMATCHES[field]), NOW, RULES)
    assert (out.result.result, out.result.mismatched) == ("not_stopped", (field,))
    assert out.ledger is book and out.result.stopped_at is None


def test_every_field_wrong_names_all_four():
    check = {k: v for m in MISMATCHES.values() for k, v in m.items()}
    out = bank_rules.stop(ledger(), stop_order(check=check), NOW, RULES)
    assert out.result.mismatched == ("payee_name", "payee_account", "amount", "tx_time")


@pytest.mark.parametrize(
    ("reported", "same"),
    [
        ("2026-10-02T09:15:00+08:00", True),  # booked 09:15:42: the same minute
        ("2026-10-02T09:15:59+08:00", True),
        ("2026-10-02T01:15:30Z", True),  # the same instant's minute, given in UTC
        ("2026-10-02T09:14:59+08:00", False),
        ("2026-10-02T09:16:00+08:00", False),
        ("2026-10-03T09:15:00+08:00", False),
    ],
)
def test_transaction_time_is_compared_to_the_minute_of_the_bank_clock(reported, same):
    out = bank_rules.stop(ledger(), stop_order(check={"tx_time": reported}), NOW, RULES)
    assert (out.result.result == "stopped") is same


def test_name_is_compared_after_nfc_and_whitespace_normalisation():
    book = ledger()
    account = replace(book.accounts[MULE], name="JOSE\u0301  GARCI\u0301A")  # decomposed
    txs = tuple(
        replace(t, payee_name=account.name) if t.payee_account == MULE else t
        for t in book.transactions
    )
    book = replace(book.with_account(account), transactions=txs)
    ok = stop_order(check={"payee_name": " JOS\u00c9 GARC\u00cdA\u3000"})  # composed, spaced
    assert bank_rules.stop(book, ok, NOW, RULES).result.result == "stopped"
    wrong = stop_order(check={"payee_name": "JOSE GARCIA"})  # accents dropped: another name
    assert bank_rules.stop(book, wrong, NOW, RULES).result.mismatched == ("payee_name",)


def test_account_number_spacing_is_ignored_but_digits_are_exact():
    spaced = stop_order(check={"payee_account": "6222 0202-0099 8877 665"})
    assert bank_rules.stop(ledger(), spaced, NOW, RULES).result.result == "stopped"


def test_unknown_account_and_serial():
    order = stop_order(check={"payee_account": "6222020200000000001"}, tx_serial_no="X1")
    assert bank_rules.stop(ledger(), order, NOW, RULES).result.result == "unknown_account"


def test_a_mistyped_serial_still_finds_the_transfer_by_the_four_fields():
    order = stop_order(tx_serial_no="T-TYPO")
    assert bank_rules.stop(ledger(), order, NOW, RULES).result.result == "stopped"


def test_two_stops_at_most_then_freeze():
    first = bank_rules.stop(ledger(), stop_order(1), NOW, RULES)
    again = bank_rules.stop(first.ledger, stop_order(2), at(hours=1), RULES)
    assert again.result.result == "already_stopped"
    assert again.result.stop_until == first.result.stop_until

    # the second stop, sent while the first runs, starts where the first ends: 96 h in all
    second = bank_rules.stop(first.ledger, stop_order(3, stop_count=2), at(hours=40), RULES)
    r = second.result
    assert (r.result, r.stop_count) == ("stopped", 2)
    assert r.stopped_at == first.result.stop_until and r.stop_until == NOW + timedelta(hours=96)

    third = bank_rules.stop(second.ledger, stop_order(4, stop_count=2), at(hours=97), RULES)
    assert (third.result.result, third.result.stop_count) == ("stop_limit_reached", 2)
    assert third.ledger is second.ledger

    frozen = bank_rules.freeze(second.ledger, freeze_order(), at(hours=90), RULES)
    assert frozen.result.result == "frozen"
    assert frozen.result.frozen_until == datetime(2027, 4, 6, 4, tzinfo=LOCAL)  # +6 months
    after = bank_rules.stop(frozen.ledger, stop_order(5, stop_count=2), at(hours=100), RULES)
    assert after.result.result == "frozen"


def test_a_second_stop_after_the_first_lapsed_starts_at_the_bank_time():
    first = bank_rules.stop(ledger(), stop_order(1), NOW, RULES)
    second = bank_rules.stop(first.ledger, stop_order(2, stop_count=2), at(hours=50), RULES)
    assert second.result.stopped_at == at(hours=50)
    assert second.result.stop_until == at(hours=98)


def test_freeze_is_six_calendar_months_and_renewable():
    end_of_august = datetime(2026, 8, 31, 12, tzinfo=UTC)
    out = bank_rules.freeze(ledger(), freeze_order(1), end_of_august, RULES)
    assert out.result.frozen_until == datetime(2027, 2, 28, 12, tzinfo=UTC)
    renewed = bank_rules.freeze(
        out.ledger, freeze_order(2, renewal_of="DJ-2026-0001"), datetime(2027, 2, 1, tzinfo=UTC),
        RULES,
    )  # fmt: skip
    assert renewed.result.frozen_until == datetime(2027, 8, 28, 12, tzinfo=UTC)
    wrong = bank_rules.freeze(ledger(), freeze_order(3, payee_name="张三"), NOW, RULES)
    assert wrong.result.mismatched == ("payee_name",)


def test_release_lifts_the_stop_which_still_counts():
    first = bank_rules.stop(ledger(), stop_order(1), NOW, RULES)
    order = ReleaseOrder(
        order_no="JC-1", case_no="A1", bank="ICBC", requesting_unit="反诈中心", officer="陈**",
        issued_at=NOW, payee_account=MULE, release_of="ZF-2026-0001", reason="已核实非涉案",
    )  # fmt: skip
    out = bank_rules.release(first.ledger, order, at(hours=1), RULES)
    assert out.result.result == "released"
    state = bank_rules.account_state(out.ledger, MULE, at(hours=2))
    assert (state.status, state.stop_count) == ("open", 1)
    assert bank_rules.release(out.ledger, order, at(hours=2), RULES).result.result == "not_held"


@pytest.mark.parametrize(
    ("after", "result"),
    [
        (timedelta(hours=23, minutes=59), "revoked"),
        (timedelta(hours=24), "revoked"),
        (timedelta(hours=24, minutes=1), "too_late"),
    ],
)
def test_atm_transfer_revocable_within_24_hours(after, result):
    from tests.fraud.conftest import ATM_AT

    out = bank_rules.revoke_atm(ledger(), atm_order(), ATM_AT + after, RULES)
    assert out.result.result == result
    if result == "revoked":
        assert out.result.returned_fen == 800_000
        again = bank_rules.revoke_atm(out.ledger, atm_order(2), ATM_AT + after, RULES)
        assert (again.result.result, again.result.reason) == ("not_revoked", "already_revoked")


def test_only_atm_transfers_are_revocable():
    order = atm_order(check=CheckFields(**CHECK), tx_serial_no="T20261002091542001")
    out = bank_rules.revoke_atm(ledger(), order, NOW, RULES)
    assert (out.result.result, out.result.reason) == ("not_revoked", "not_atm")


def test_onward_transfers_after_a_time():
    report = bank_rules.onward(ledger(), MULE, at(minutes=-30))
    assert [t.payee_bank for t in report.transfers] == ["ABC", "ALIPAY"]
    assert sum(t.amount_fen for t in report.transfers) == 4_500_000
    assert bank_rules.onward(ledger(), MULE, at(minutes=-5)).transfers == ()
    assert "atm" in {t.channel for t in bank_rules.onward(ledger(), VICTIM, at(hours=-1)).transfers}


# --- integer fen and other refusals ------------------------------------------------------


@pytest.mark.parametrize("amount", [5_000_000.0, 50000.5, "5000000", "50000.00", True, 0, -1])
def test_amount_is_integer_fen_only(amount):
    with pytest.raises(ValidationError):
        stop_order(check={"amount_fen": amount})


def test_amount_from_json_must_be_an_integer():
    good = stop_order().model_dump_json()
    assert StopOrder.model_validate_json(good).check.amount_fen == 5_000_000
    with pytest.raises(ValidationError):
        StopOrder.model_validate_json(good.replace("5000000", "5000000.0"))


@pytest.mark.parametrize(
    "change",
    [
        {"check": {"tx_time": "2026-10-02T09:15:00"}},  # no offset
        {"check": {"tx_time": 1790000000}},  # a bare number is not a time
        {"channel": "cash"},
        {"stop_count": 3},
        {"officer": "陈\n警官"},
        {"check": {"payee_account": "62-22"}},
        {"check": {"payee_name": "   "}},
        {"extra": 1},
    ],
)
def test_malformed_orders_are_refused(change):
    check = change.pop("check", None)
    with pytest.raises(ValidationError):
        stop_order(check=check, **change)


def test_officer_is_masked():
    assert stop_order(officer="陈警官").officer == "陈**"


# --- any change to one field → not stopped -----------------------------------------------

_names = st.text(alphabet="张王李赵伟芳明ABC", min_size=1, max_size=6).filter(lambda s: s != "张伟")
_accounts = st.from_regex(r"\A[0-9]{16,19}\Z").filter(lambda s: s != MULE)
_amounts = st.integers(1, 10**12).filter(lambda n: n != 5_000_000)
_REPORTED = datetime.fromisoformat(CHECK["tx_time"])
_minutes = st.integers(-(10**6), 10**6).filter(lambda m: m != 0)


@given(
    st.one_of(
        _names.map(lambda v: ("payee_name", {"payee_name": v})),
        _accounts.map(lambda v: ("payee_account", {"payee_account": v})),
        _amounts.map(lambda v: ("amount", {"amount_fen": v})),
        _minutes.map(lambda m: ("tx_time", {"tx_time": _REPORTED + timedelta(minutes=m)})),
    )
)
def test_any_change_to_one_field_is_not_stopped(change):
    field, values = change
    out = bank_rules.stop(ledger(), stop_order(check=values), NOW, RULES)
    assert (out.result.result, out.result.mismatched) == ("not_stopped", (field,))
