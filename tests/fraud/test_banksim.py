"""The simulator as a real process on a free port, the platform's client against it over HTTP:
sealed orders, field mismatches, tampered and missing seals, a slow or failing bank, retries
applied once. The bank's clock is pinned (--clock); nothing is timed."""

from __future__ import annotations

import json
import subprocess
import sys

import httpx
import pytest

from pingan.fraud.banksim.ledger import MULE, write_sample
from pingan.fraud.gateway import BankRefused, BankUnavailable, HttpBankGateway, RetryPolicy
from pingan.fraud.messages import canonical, seal
from tests.fraud.conftest import BANK, NOW, PINGAN, _env, _free_port, _ready, stop_order


def test_the_key_list_is_read_again_for_an_unknown_key(platform, tmp_path):
    """A bank started before the platform's key existed learns it at the next order."""
    _, keys = platform
    late = tmp_path / "late-keys.json"
    late.write_text('{"issuer": "pingan", "keys": []}', encoding="utf-8")
    ledger = tmp_path / "ledger.json"
    write_sample(ledger, BANK)
    port = _free_port()
    cmd = [sys.executable, "-m", "pingan.fraud.banksim", "--bank", BANK, "--ledger", str(ledger),
           "--keys", str(late), "--port", str(port), "--clock", NOW.isoformat()]  # fmt: skip
    proc = subprocess.Popen(cmd, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        url = _ready(proc, f"http://127.0.0.1:{port}")
        gw = _gateway(platform, url)
        with pytest.raises(BankRefused) as caught:
            gw.send_stop(stop_order(1))
        assert (caught.value.status, caught.value.code) == (401, "unknown_key")
        late.write_text(keys.read_text(encoding="utf-8"), encoding="utf-8")
        assert gw.send_stop(stop_order(2)).result == "stopped"
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _gateway(platform, url, **kw):  # type: ignore[no-untyped-def]
    sealer, _ = platform
    kw.setdefault("sleep", lambda _: None)
    return HttpBankGateway(BANK, url, sealer, **kw)


def test_stop_over_http_and_the_account_state(platform, banksim):
    gw = _gateway(platform, banksim())
    r = gw.send_stop(stop_order())
    assert (r.result, r.stop_count, r.balance_held_fen) == ("stopped", 1, 500_000)
    assert r.stopped_at == NOW and (r.stop_until - r.stopped_at).total_seconds() == 48 * 3600
    state = gw.account_state(MULE)
    assert (state.status, state.held_fen, state.stop_until) == ("stopped", 500_000, r.stop_until)
    onward = gw.onward_transfers(MULE, NOW.replace(hour=9))
    assert [t.payee_bank for t in onward.transfers] == ["ABC", "ALIPAY"]


def test_mismatch_is_not_stopped_with_the_field(platform, banksim):
    gw = _gateway(platform, banksim())
    r = gw.send_stop(stop_order(check={"amount_fen": 4_999_999}))
    assert (r.result, r.mismatched) == ("not_stopped", ("amount",))
    assert gw.account_state(MULE).status == "open"


def test_tampered_unsealed_and_invalid_orders_are_refused(platform, banksim):
    sealer, _ = platform
    url = banksim()
    raw = json.loads(seal(stop_order(), sealer))
    raw["order"]["check"]["amount_fen"] = 100  # changed after sealing
    answer = httpx.post(f"{url}/v1/orders/stop", content=canonical(raw))
    assert (answer.status_code, answer.json()["code"]) == (401, "bad_signature")

    unsealed = canonical({"order": raw["order"]})
    answer = httpx.post(f"{url}/v1/orders/stop", content=unsealed)
    assert (answer.status_code, answer.json()["code"]) == (401, "no_seal")

    pretty = json.dumps(json.loads(seal(stop_order(), sealer)), indent=1).encode()
    answer = httpx.post(f"{url}/v1/orders/stop", content=pretty)
    assert (answer.status_code, answer.json()["code"]) == (422, "not_canonical")

    # a float amount, sealed by the platform itself, is still not an order
    order = stop_order().model_dump(mode="json")
    order["check"]["amount_fen"] = 5_000_000.5
    sig = sealer.sign(canonical({"type": "pingan.fraud.order.v1", "order": order}))
    floaty = canonical({"order": order, "seal": sig.as_dict()})
    answer = httpx.post(f"{url}/v1/orders/stop", content=floaty)
    assert (answer.status_code, answer.json()["code"]) == (422, "invalid_order")

    gw = _gateway(platform, url)
    assert gw.account_state(MULE).stop_count == 0  # nothing applied


def test_a_slow_bank_is_retried_then_reported_and_the_stop_applied_once(platform, banksim):
    told: list[str] = []
    policy = RetryPolicy(tries=3, timeout=0.5)
    url = banksim("--delay", "30")
    gw = _gateway(platform, url, policy=policy, notify=lambda m: told.append(m.code))
    with pytest.raises(BankUnavailable) as caught:
        gw.send_stop(stop_order())
    assert (caught.value.tries, caught.value.last) == (3, "ReadTimeout")
    assert caught.value.message.code == "fraud.bank_unavailable"
    assert told == ["fraud.bank_retry", "fraud.bank_retry"]
    state = _gateway(platform, url).account_state(MULE)
    assert (state.status, state.stop_count) == ("stopped", 1)  # three tries, one stop


def test_a_failing_bank_is_retried_until_it_answers(platform, banksim):
    gw = _gateway(platform, banksim("--fail-first", "2"), policy=RetryPolicy(tries=3))
    assert gw.send_stop(stop_order()).result == "stopped"
    gw = _gateway(platform, banksim("--fail-first", "5"), policy=RetryPolicy(tries=2))
    with pytest.raises(BankUnavailable) as caught:
        gw.send_stop(stop_order())
    assert caught.value.last == "http_503"


def test_same_order_number_twice_is_one_stop(platform, banksim):
    gw = _gateway(platform, banksim())
    first, second = gw.send_stop(stop_order(7)), gw.send_stop(stop_order(7))
    assert first == second and first.result == "stopped"
    assert gw.account_state(MULE).stop_count == 1
    other = gw.send_stop(stop_order(8))  # another order for the same account
    assert other.result == "already_stopped"
    with pytest.raises(BankRefused) as caught:  # the number reused for other content
        gw.send_stop(stop_order(7, check={"amount_fen": 1}))
    assert (caught.value.status, caught.value.code) == (409, "order_reused")


def test_an_order_for_another_bank_is_refused(platform, banksim):
    sealer, _ = platform
    url = banksim()
    raw = seal(stop_order(bank="ABC"), sealer)
    answer = httpx.post(f"{url}/v1/orders/stop", content=raw)
    assert (answer.status_code, answer.json()["code"]) == (422, "wrong_bank")


def test_cli_writes_a_sample_ledger_in_a_fresh_process(tmp_path):
    out = tmp_path / "ledger.json"
    env = {**_env(), "LANG": "C.UTF-8", "PINGAN_DATA_DIR": str(tmp_path / "data")}
    r = subprocess.run([str(PINGAN), "fraud", "sample-ledger", str(out), "--bank", "CMB"],
                       capture_output=True, text=True, env=env, timeout=120)  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert "示例账本" in r.stdout
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["bank"] == "CMB" and all(isinstance(t["amount_fen"], int)
                                         for t in data["transactions"])  # fmt: skip


def test_cli_refuses_a_ledger_with_a_float_amount(tmp_path, platform):
    _, keys = platform
    bad = tmp_path / "bad.json"
    bad.write_text(
        '{"bank": "ICBC", "accounts": [{"number": "1", "name": "x", "balance_fen": 1.5}]}',
        encoding="utf-8",
    )
    env = {**_env(), "LANG": "C.UTF-8"}
    cmd = [str(PINGAN), "fraud", "banksim", "--bank", "ICBC", "--ledger", str(bad),
           "--keys", str(keys)]  # fmt: skip
    r = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 2 and "balance_fen" in r.stderr
