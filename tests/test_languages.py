"""One language per answer: stored notes, the OpenAPI description, validation errors and each
user's own setting, all read in the language of whoever reads them."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from pingan.auth.actor import Actor
from pingan.auth.roles import Role
from pingan.db.engine import Database
from pingan.i18n import bilingual_half, msg, stored_text, to_store
from pingan.incidents import service
from pingan.incidents.models import IncidentEvent
from pingan.incidents.reactions import HELP_SERVICES, on_case_concluded
from tests.helpers import create_incident

CJK = re.compile(r"[\u4e00-\u9fff]")
EN = {"Accept-Language": "en"}
DISPATCHER = Actor(user_id=None, username="dispatcher1", role=Role.DISPATCHER)
MIXED = re.compile(r"[\u4e00-\u9fff][^\n]*\s/\s+[A-Za-z]")
# tag codes of the routers whose texts are catalogue messages (others follow as converted)
CONVERTED_TAGS = {"app", "audit", "auth", "dispatch", "geo", "http", "incidents", "live"}
CONVERTED_TAGS |= {"rosters", "units"}
CODE_LIKE = re.compile(r"^[a-z_]+\.(?:[a-z0-9_]+\.)*[a-z0-9_]+$")


def _timeline(client: TestClient, headers: dict[str, str], incident_id: int) -> list[dict]:
    r = client.get(f"/api/v1/incidents/{incident_id}", headers=headers)
    assert r.status_code == 200, r.text
    return r.json()["timeline"]


# -- stored notes --------------------------------------------------------------------------------


def test_a_system_note_is_stored_as_a_message_and_read_in_each_language(
    client: TestClient, accounts: Any, db: Database
) -> None:
    reader = accounts.headers(Role.DISPATCHER)
    incident = create_incident(client, reader)
    with db.session() as session:
        on_case_concluded(session, {"incident_id": incident["id"], "outcome": "已送医"})
        row = session.scalars(
            select(IncidentEvent).where(
                IncidentEvent.incident_id == incident["id"], IncidentEvent.kind == "cancelled"
            )
        ).one()
        # stored: the message, and its Chinese words for searches and exports
        assert row.note_code == "incidents.cancelled_no_unit_on_scene"
        assert row.note_params == {"outcome": "已送医"}
        assert row.note == "已送医（无警力到场，撤销）"
    zh = _timeline(client, reader, incident["id"])[-1]
    en = _timeline(client, {**reader, **EN}, incident["id"])[-1]
    assert zh["note"] == "已送医（无警力到场，撤销）"
    assert en["note"] == "已送医 (no unit on scene: cancelled)"  # the typed outcome stays as typed
    assert zh["note_code"] == en["note_code"] == "incidents.cancelled_no_unit_on_scene"
    assert "note_params" not in en


def test_old_mixed_notes_read_in_one_language_and_typed_notes_stay_as_typed(
    client: TestClient, accounts: Any, db: Database
) -> None:
    reader = accounts.headers(Role.DISPATCHER)
    incident = create_incident(client, reader)
    with db.session() as session:
        service.add_note(session, DISPATCHER, incident["id"], note="报警人称对方已离开 / 已核实")
        # a row written before notes had codes, as the system wrote it then
        service._append_event(
            session,
            service._locked(session, HELP_SERVICES, incident["id"]),
            HELP_SERVICES,
            "noted",
            at=service.utcnow(),
            note="指挥中心派警 / dispatched by the command centre",
        )
        session.commit()
    zh = [e["note"] for e in _timeline(client, reader, incident["id"])]
    en = [e["note"] for e in _timeline(client, {**reader, **EN}, incident["id"])]
    assert zh[-2:] == ["报警人称对方已离开 / 已核实", "指挥中心派警"]
    assert en[-2:] == ["报警人称对方已离开 / 已核实", "dispatched by the command centre"]


@pytest.mark.parametrize(
    ("stored", "zh", "en"),
    [
        ("指挥中心派警 / dispatched", "指挥中心派警", "dispatched"),
        ("警力 P01 没有定位 / unit P01 has no position fix", "警力 P01 没有定位",
         "unit P01 has no position fix"),
        ("家长确认", "家长确认", "家长确认"),
        ("see /catalogue/types", "see /catalogue/types", "see /catalogue/types"),
        ("A / B", "A / B", "A / B"),
    ],
)  # fmt: skip
def test_the_half_of_an_old_mixed_text_for_each_language(stored: str, zh: str, en: str) -> None:
    assert bilingual_half(stored, "zh_CN") == zh
    assert bilingual_half(stored, "en") == en
    assert stored_text(stored, None, None, "en") == en


def test_a_message_with_texts_in_each_language_as_a_value_is_stored_and_read_back() -> None:
    note = msg("dispatch.note.auto_dispatched", picks={"zh_CN": "巡逻车 P01", "en": "car P01"})
    text_zh, code, params = to_store(note)
    assert text_zh == "自动派警：巡逻车 P01"
    assert stored_text(text_zh, code, params, "en") == "auto-dispatched: car P01"


# -- the OpenAPI description -----------------------------------------------------------------


def _texts(node: Any, key: str | None = None) -> list[str]:
    """Every summary, description, title and tag of a spec."""
    if isinstance(node, dict):
        return [t for k, v in node.items() for t in _texts(v, k)]
    if isinstance(node, list):
        return (
            [t for v in node for t in (_texts(v, key) if not isinstance(v, str) else [v])]
            if (key == "tags")
            else [t for v in node for t in _texts(v)]
        )
    if isinstance(node, str) and key in ("summary", "description", "title"):
        return [node]
    return []


def test_the_openapi_description_speaks_the_language_asked_for(client: TestClient) -> None:
    zh = client.get("/api/openapi.json").json()
    en = client.get("/api/openapi.json", headers=EN).json()
    zh_texts, en_texts = _texts(zh), _texts(en)
    assert zh["info"]["title"] == "平安 API" and en["info"]["title"] == "Pingan API"
    op_zh = zh["paths"]["/api/v1/incidents"]["post"]
    op_en = en["paths"]["/api/v1/incidents"]["post"]
    assert op_zh["summary"] == "接警登记" and op_en["summary"] == "report an incident"
    assert op_zh["tags"] == ["警情"] and op_en["tags"] == ["incidents"]
    assert op_en["responses"]["404"]["description"] == "Not found"
    unresolved = [t for t in zh_texts + en_texts if CODE_LIKE.match(t)]
    assert not unresolved, unresolved
    # every operation of a converted package: Chinese alone in one, no Chinese in the other
    coded = client.app.openapi_schema  # as built: tags are still codes
    checked = 0
    for path, ops in coded["paths"].items():
        for method, op in ops.items():
            if not {t.split(".")[0] for t in op.get("tags", [])} & CONVERTED_TAGS:
                continue
            checked += 1
            for t in _texts(zh["paths"][path][method]):
                assert not MIXED.search(t), (path, t)
            for t in _texts(en["paths"][path][method]):
                assert not CJK.search(t), (path, t)
    assert checked > 40
    assert client.get("/api/docs").status_code == 200


# -- validation errors ----------------------------------------------------------------------


def test_validation_errors_speak_the_language_and_keep_their_types(
    client: TestClient, accounts: Any
) -> None:
    headers = accounts.headers(Role.DISPATCHER)
    body = {"type": "fight", "summary": "", "lon": 109.78, "lat": 39.59}
    zh = client.post("/api/v1/incidents", json=body, headers=headers).json()
    en = client.post("/api/v1/incidents", json=body, headers={**headers, **EN}).json()
    assert zh["code"] == en["code"] == "validation_failed"
    assert [e["type"] for e in zh["errors"]] == [e["type"] for e in en["errors"]]
    assert "string_too_short" in [e["type"] for e in en["errors"]]
    assert CJK.search(zh["detail"]) and not CJK.search(en["detail"])
    assert all(CJK.search(e["message"]) for e in zh["errors"])
    assert not any(CJK.search(e["message"]) for e in en["errors"])


# -- each user's language -------------------------------------------------------------------


def test_a_user_chooses_the_language_used_when_a_request_names_none(
    client: TestClient, accounts: Any
) -> None:
    headers = accounts.headers(Role.DISPATCHER)
    assert client.get("/api/v1/auth/me", headers=headers).json()["language"] is None
    r = client.put("/api/v1/auth/me/language", json={"language": "en"}, headers=headers)
    assert r.status_code == 200, r.text
    assert r.json()["language"] == "en"
    assert client.get("/api/v1/auth/me", headers=headers).json()["language"] == "en"
    missing = client.get("/api/v1/incidents/999999", headers=headers).json()
    assert missing["detail"] == "no such incident: 999999" and missing["title"] == "Not found"
    asked = client.get(
        "/api/v1/incidents/999999", headers={**headers, "Accept-Language": "zh-CN"}
    ).json()
    assert CJK.search(asked["detail"])  # the request's own header wins
    # another user is untouched
    other = client.get("/api/v1/incidents/999999", headers=accounts.headers(Role.COMMANDER))
    assert CJK.search(other.json()["detail"])
    # audited
    records = client.get(
        "/api/v1/audit", params={"action": "user.language"}, headers=accounts.headers(Role.AUDITOR)
    ).json()["items"]
    assert [(x["actor"], x["detail"]) for x in records] == [
        ("dispatcher1", {"from": None, "to": "en"})
    ]
    bad = client.put("/api/v1/auth/me/language", json={"language": "fr"}, headers=headers)
    assert bad.status_code == 422 and bad.json()["errors"][0]["type"] == "literal_error"
    back = client.put("/api/v1/auth/me/language", json={"language": None}, headers=headers)
    assert back.json()["language"] is None
    assert CJK.search(client.get("/api/v1/incidents/999999", headers=headers).json()["detail"])


def test_the_language_needs_a_login(client: TestClient) -> None:
    r = client.put("/api/v1/auth/me/language", json={"language": "en"}, headers=EN)
    assert r.status_code == 401 and r.json()["detail"] == "login required: missing bearer token"


def test_labels_name_states_in_the_language_asked_for(client: TestClient, accounts: Any) -> None:
    headers = accounts.headers(Role.DISPATCHER)
    zh = client.get("/api/v1/catalogue/labels", headers=headers).json()
    en = client.get("/api/v1/catalogue/labels", headers={**headers, **EN}).json()
    assert zh["incident_states"]["received"] == "已接警"
    assert en["incident_states"]["received"] == "received"
    assert en["unit_statuses"]["off_duty"] == "off duty" and zh["sources"]["call_110"] == "110报警"
    assert not any(CJK.search(v) for group in en.values() for v in group.values())
