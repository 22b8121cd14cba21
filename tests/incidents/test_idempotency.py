"""An `Idempotency-Key` makes a retried create answer as the first time, creating nothing."""

from __future__ import annotations

from pingan.auth.roles import Role
from tests.helpers import counts, incident_body


def test_retry_with_the_same_idempotency_key_creates_no_second_incident(client, accounts):
    headers = {**accounts.headers(Role.DISPATCHER), "Idempotency-Key": "call-7f3a-1"}
    first = client.post("/api/v1/incidents", json=incident_body(), headers=headers)
    assert first.status_code == 201
    before = counts(client, accounts)
    retry = client.post("/api/v1/incidents", json=incident_body(), headers=headers)
    assert retry.status_code == 201 and retry.headers["idempotent-replayed"] == "true"
    assert retry.json() == first.json()
    assert counts(client, accounts) == before


def test_idempotency_key_reused_with_a_different_body_is_refused(client, accounts):
    headers = {**accounts.headers(Role.DISPATCHER), "Idempotency-Key": "call-7f3a-2"}
    assert client.post("/api/v1/incidents", json=incident_body(), headers=headers).is_success
    before = counts(client, accounts)
    r = client.post("/api/v1/incidents", json=incident_body(summary="另一起"), headers=headers)
    assert r.status_code == 422 and r.json()["code"] == "idempotency_key_reused"
    assert counts(client, accounts) == before


def test_idempotency_keys_are_per_user_and_a_failed_create_frees_the_key(client, accounts):
    key = {"Idempotency-Key": "same-key"}
    bad = client.post(
        "/api/v1/incidents",
        json=incident_body(type="alien_landing"),
        headers={**accounts.headers(Role.DISPATCHER), **key},
    )
    assert bad.status_code == 422
    one = client.post(
        "/api/v1/incidents",
        json=incident_body(),
        headers={**accounts.headers(Role.DISPATCHER), **key},
    )
    two = client.post(
        "/api/v1/incidents",
        json=incident_body(),
        headers={**accounts.headers(Role.COMMANDER), **key},
    )
    assert one.status_code == two.status_code == 201
    assert one.json()["id"] != two.json()["id"]


def test_idempotency_key_must_be_printable_ascii(client, accounts):
    r = client.post(
        "/api/v1/incidents",
        json=incident_body(),
        headers={**accounts.headers(Role.DISPATCHER), "Idempotency-Key": "x" * 101},
    )
    assert r.status_code == 422
