"""The in-process bank (pingan.fraud.localbank) is the simulator: on the sample ledger, with the
same clock, the same orders get the same answers — results, refusals, account states and
onward transfers — as the simulator process over HTTP."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from pingan.errors import DomainError, NotFound, ValidationFailed
from pingan.fraud.bank_rules import Account, Tx
from pingan.fraud.banksim import ledger as ledger_file
from pingan.fraud.banksim.bank import KeyList
from pingan.fraud.banksim.ledger import MULE, VICTIM
from pingan.fraud.gateway import BankRefused, HttpBankGateway
from pingan.fraud.localbank import LocalBanks
from pingan.fraud.messages import ReleaseOrder, canonical, seal
from tests.fraud.conftest import BANK, NOW, atm_order, freeze_order, ledger, stop_order

STRANGER = {"payee_account": "6222000000000001"}  # an account the bank does not hold


def _release(n: int, of: str) -> ReleaseOrder:
    return ReleaseOrder.model_validate(
        {"order_no": f"JC-2026-{n:04d}", "case_no": "A3301002026100200001", "bank": BANK,
         "requesting_unit": "平安市公安局反诈中心", "officer": "陈**",
         "issued_at": NOW.isoformat(), "payee_account": MULE, "release_of": of,
         "reason": "被害人撤回"}
    )  # fmt: skip


def _local(platform, **options: Any) -> LocalBanks:  # type: ignore[no-untyped-def]
    _, keys = platform
    return LocalBanks([ledger()], KeyList(str(keys)), clock=lambda: NOW, **options)


def _answer(call: Callable[[], Any]) -> Any:
    """A result as data, or the refusal's (status, code, detail)."""
    try:
        return call().model_dump(mode="json")
    except BankRefused as exc:
        return ("refused", exc.status, exc.code, exc.detail)


def _script(gw) -> list[Any]:  # type: ignore[no-untyped-def]
    """Every kind of order and query, in an order that makes each rule answer."""
    since = NOW.replace(hour=9)
    steps: list[Callable[[], Any]] = [
        lambda: gw.send_stop(stop_order(1, check={"payee_name": "张炜"})),  # a wrong character
        lambda: gw.send_stop(stop_order(2, check={"tx_time": "2026-10-02T09:18:00+08:00"})),
        lambda: gw.send_stop(stop_order(3, check={"amount_fen": 5_000_500})),
        lambda: gw.account_state(MULE),
        lambda: gw.send_stop(stop_order(4)),  # all four match: stopped
        lambda: gw.send_stop(stop_order(4)),  # the same order again: the same answer
        lambda: gw.send_stop(stop_order(4, check={"amount_fen": 1})),  # the number reused
        lambda: gw.send_stop(stop_order(5)),  # already stopped
        lambda: gw.send_stop(stop_order(6, stop_count=2)),  # the second stop, end to end
        lambda: gw.send_stop(stop_order(7, stop_count=2)),  # two stops: the limit
        lambda: gw.account_state(MULE),
        lambda: gw.onward_transfers(MULE, since),
        lambda: gw.send_release(_release(1, "ZF-2026-0006")),
        lambda: gw.send_release(_release(2, "ZF-2026-0099")),  # nothing it made: not held
        lambda: gw.send_freeze(freeze_order(1)),
        lambda: gw.send_stop(stop_order(8)),  # frozen
        lambda: gw.revoke_atm(atm_order(1)),
        lambda: gw.revoke_atm(atm_order(2)),  # already revoked
        lambda: gw.send_stop(stop_order(9, check=STRANGER, tx_serial_no="T-unknown")),
        lambda: gw.account_state("6222000000000001"),
        lambda: gw.onward_transfers("6222000000000001", since),
        lambda: gw.account_state(VICTIM),
    ]
    return [_answer(step) for step in steps]


def test_the_same_answers_as_the_simulator_over_http(platform, banksim):
    sealer, _ = platform
    over_http = _script(HttpBankGateway(BANK, banksim(), sealer, sleep=lambda _: None))
    in_process = _script(_local(platform).gateway(BANK, sealer))
    assert in_process == over_http
    results = [a["result"] for a in in_process if isinstance(a, dict) and "result" in a]
    assert results[:3] == ["not_stopped"] * 3
    assert [a["mismatched"] for a in in_process[:3]] == [["payee_name"], ["tx_time"], ["amount"]]
    assert "stopped" in results and "stop_limit_reached" in results and "revoked" in results
    assert in_process[6][:3] == ("refused", 409, "order_reused")


def test_the_seal_is_checked_in_process_too(platform):
    """A tampered or unsealed order never reaches the rule: 401 as over HTTP."""
    sealer, _ = platform
    bank = _local(platform).bank(BANK)
    raw = json.loads(seal(stop_order(), sealer))
    raw["order"]["check"]["amount_fen"] = 100
    with pytest.raises(DomainError) as caught:
        bank.handle("stop", canonical(raw))
    assert (caught.value.status, caught.value.code) == (401, "bad_signature")
    assert bank.account_state(MULE).stop_count == 0


def test_an_unknown_key_is_refused_until_the_list_has_it(platform, tmp_path):
    sealer, keys = platform
    late = tmp_path / "keys.json"
    late.write_text('{"issuer": "pingan", "keys": []}', encoding="utf-8")
    gw = LocalBanks([ledger()], KeyList(str(late)), clock=lambda: NOW).gateway(BANK, sealer)
    with pytest.raises(BankRefused) as caught:
        gw.send_stop(stop_order(1))
    assert (caught.value.status, caught.value.code) == (401, "unknown_key")
    late.write_text(keys.read_text(encoding="utf-8"), encoding="utf-8")
    assert gw.send_stop(stop_order(2)).result == "stopped"


def test_banks_by_code_and_the_registry_refusals(platform):
    sealer, _ = platform
    local = _local(platform)
    assert local.codes == [BANK]
    with pytest.raises(NotFound):
        local.gateway("NOBANK", sealer)
    with pytest.raises(ValidationFailed) as caught:
        local.gateway("ABC", sealer)  # a known bank with no simulated ledger here
    assert caught.value.code == "no_gateway"
    with pytest.raises(ValidationFailed) as caught:
        local.gateway(BANK, sealer).send_stop(stop_order(bank="ABC"))
    assert caught.value.code == "wrong_bank"


def test_a_gateway_clock_is_the_bank_time_of_its_orders(platform):
    sealer, _ = platform
    later = NOW.replace(hour=11)
    r = _local(platform).gateway(BANK, sealer, clock=lambda: later).send_stop(stop_order())
    assert r.stopped_at == later


def test_ledgers_kept_in_a_folder_come_back_with_their_holds(platform, tmp_path):
    sealer, _ = platform
    folder = tmp_path / "banks"
    local = _local(platform, folder=folder)
    local.gateway(BANK, sealer).send_stop(stop_order())
    local.bank(BANK).book(
        [Account("6222000000000009", "周丽", 0)],
        [Tx("T-new", "bank", VICTIM, "6222000000000009", BANK, "周丽", 100, NOW)],
    )
    again = LocalBanks.from_folder(folder, local.keys, clock=lambda: NOW)
    assert again.bank(BANK).ledger == local.bank(BANK).ledger
    state = again.bank(BANK).account_state(MULE)
    assert (state.status, state.stop_count, state.held_fen) == ("stopped", 1, 500_000)
    assert ledger_file.load(folder / f"{BANK}.json").by_serial["T-new"].amount_fen == 100
