"""Login and sign-up throttles: guessing is slowed per source, the owner is never locked out,
and a client cannot choose its source address with X-Forwarded-For."""

from __future__ import annotations

from datetime import timedelta
from ipaddress import ip_network

from sqlalchemy import select

from pingan.auth.models import LoginAttempt
from pingan.auth.throttle import backoff
from pingan.config import Settings
from pingan.http.source import source_address
from tests.auth.conftest import from_address
from tests.conftest import SECRET, TEST_PASSWORD

LOGIN = "/api/v1/auth/login"
REGISTER = "/api/v1/auth/register"
ATTACKER, OWNER = "198.51.100.7", "203.0.113.20"


def login(client, username: str, password: str):
    return client.post(LOGIN, json={"username": username, "password": password})


def test_backoff_doubles_after_the_free_failures_and_stops_at_the_cap():
    first, cap = timedelta(seconds=2), timedelta(seconds=900)
    assert [backoff(n, 5, first, cap).total_seconds() for n in range(4, 9)] == [0, 2, 4, 8, 16]
    assert backoff(10_000, 5, first, cap) == cap


def test_attacker_failing_50_times_from_one_address_does_not_stop_the_owner_elsewhere(
    client, accounts, clock, db
):
    attacker, owner = from_address(client, ATTACKER), from_address(client, OWNER)
    refused = 0
    failures = 0
    while failures < 50:  # the attacker waits out every delay, so all 50 guesses are checked
        r = login(attacker, "admin1", "guess")
        if r.status_code == 429:
            refused += 1
            clock.advance(int(r.headers["retry-after"]))
            continue
        assert r.status_code == 401
        failures += 1
    assert refused > 0
    # straight after the attack the attacker's address must wait, with the reason
    r = login(attacker, "admin1", "guess")
    assert r.status_code == 429 and r.json()["code"] == "login_throttled"
    assert "秒后再试" in r.json()["detail"] and int(r.headers["retry-after"]) >= 1
    # … and the owner, from another address, logs in at once
    r = login(owner, "admin1", TEST_PASSWORD)
    assert r.status_code == 200, r.text
    with db.session() as s:
        stored = s.scalars(select(LoginAttempt.ip).where(LoginAttempt.success.is_(False))).all()
    assert stored.count(ATTACKER) == 50


def test_owner_on_the_attacked_address_passes_after_the_growing_delay(client, accounts, clock):
    shared = from_address(client, ATTACKER)
    for _ in range(5):
        assert login(shared, "admin1", "guess").status_code == 401
    first = login(shared, "admin1", TEST_PASSWORD)
    assert first.status_code == 429 and first.headers["retry-after"] == "2"
    clock.advance(2)
    assert login(shared, "admin1", "guess").status_code == 401
    second = login(shared, "admin1", TEST_PASSWORD)
    assert second.status_code == 429 and second.headers["retry-after"] == "4"  # it grows
    clock.advance(4)
    assert login(shared, "admin1", TEST_PASSWORD).status_code == 200


def test_account_guessed_from_many_addresses_slows_them_but_not_a_fresh_one(
    client, accounts, clock
):
    for i in range(20):  # login_account_slow_after: one wrong guess from each of 20 addresses
        assert login(from_address(client, f"192.0.2.{i + 1}"), "admin1", "x").status_code == 401
    # a guessing address now waits after its first failure …
    r = login(from_address(client, "192.0.2.1"), "admin1", TEST_PASSWORD)
    assert r.status_code == 429 and r.json()["code"] == "login_throttled"
    # … a slowing delay, not a lock: after it the right password passes there too
    clock.advance(int(r.headers["retry-after"]))
    assert login(from_address(client, "192.0.2.1"), "admin1", TEST_PASSWORD).status_code == 200
    # and the owner from an address that never failed is not held up at all
    assert login(from_address(client, OWNER), "admin1", TEST_PASSWORD).status_code == 200


def test_one_address_failing_on_many_usernames_is_refused_for_the_window(client, accounts, clock):
    sprayer = from_address(client, ATTACKER)
    for i in range(30):  # login_max_failures_per_ip
        assert login(sprayer, f"ghost{i}", "guess").status_code == 401
    r = login(sprayer, "officer1", TEST_PASSWORD)
    assert r.status_code == 429 and r.json()["code"] == "source_throttled"
    assert r.headers["retry-after"] == "900"
    assert login(from_address(client, OWNER), "officer1", TEST_PASSWORD).status_code == 200
    clock.advance(900)
    assert login(sprayer, "officer1", TEST_PASSWORD).status_code == 200


def test_forwarded_for_from_an_untrusted_peer_does_not_change_the_source(
    client, accounts, clock, db
):
    attacker = from_address(client, ATTACKER)
    for i in range(5):
        r = attacker.post(
            LOGIN,
            json={"username": "admin1", "password": "guess"},
            headers={"X-Forwarded-For": f"10.9.9.{i}"},
        )
        assert r.status_code == 401
    r = attacker.post(
        LOGIN,
        json={"username": "admin1", "password": "guess"},
        headers={"X-Forwarded-For": "10.9.9.99"},
    )
    assert r.status_code == 429
    with db.session() as s:
        assert set(s.scalars(select(LoginAttempt.ip).where(LoginAttempt.success.is_(False)))) == {
            ATTACKER
        }


def test_forwarded_for_is_believed_only_through_a_configured_proxy(client, accounts, clock, db):
    client.app.state.settings = Settings(
        data_dir=client.app.state.settings.data_dir,
        secret_key=SECRET,
        trusted_proxies=["10.0.0.0/8"],
    )
    proxy = from_address(client, "10.0.0.2")
    r = proxy.post(
        LOGIN,
        json={"username": "admin1", "password": "guess"},
        headers={"X-Forwarded-For": "192.0.2.66, 203.0.113.9, 10.0.0.3"},
    )
    assert r.status_code == 401
    with db.session() as s:
        ip = s.scalars(select(LoginAttempt.ip).where(LoginAttempt.success.is_(False))).one()
    assert ip == "203.0.113.9"  # the right-most address that is not one of our proxies


def test_source_address_takes_the_rightmost_untrusted_hop():
    proxies = [ip_network("10.0.0.0/8"), ip_network("fd00::/8")]
    assert source_address("198.51.100.7", ["1.2.3.4"], proxies) == "198.51.100.7"
    assert source_address("10.0.0.2", ["1.2.3.4, 5.6.7.8"], proxies) == "5.6.7.8"
    assert source_address("10.0.0.2", ["1.2.3.4", "5.6.7.8, 10.1.1.1"], proxies) == "5.6.7.8"
    assert source_address("fd00::1", ["2001:db8::5"], proxies) == "2001:db8::5"
    assert source_address("10.0.0.2", [], proxies) == "10.0.0.2"
    assert source_address("10.0.0.2", ["10.0.0.9"], proxies) == "10.0.0.9"
    assert source_address("10.0.0.2", ["1.2.3.4, not-an-ip"], proxies) == "10.0.0.2"


def test_register_is_throttled_per_source(client, clock):
    signer = from_address(client, ATTACKER)
    for i in range(5):  # register_max_per_source; refused tries count too
        r = signer.post(
            REGISTER,
            json={"username": f"bot{i}", "password": "Kangbashi-2026", "phone": "137000011"},
        )
        assert r.status_code == 422  # a bad phone: refused, still counted
    r = signer.post(
        REGISTER,
        json={"username": "bot9", "password": "Kangbashi-2026", "phone": "13700001111"},
    )
    assert r.status_code == 429 and r.json()["code"] == "register_throttled"
    assert r.headers["retry-after"] == "3600" and "注册" in r.json()["detail"]
    other = from_address(client, OWNER).post(
        REGISTER,
        json={"username": "tourist", "password": "Kangbashi-2026", "phone": "13700001111"},
    )
    assert other.status_code == 201
    clock.advance(3600)
    r = signer.post(
        REGISTER,
        json={"username": "bot9", "password": "Kangbashi-2026", "phone": "13700001111"},
    )
    assert r.status_code == 201
