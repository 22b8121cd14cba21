"""The registry's services on both stores: facilities, detainees sealed and masked, visitors
from the identity register, ties with proof, consents; every write audited."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from pingan.audit.models import AuditRecord
from pingan.auth import service as auth_service
from pingan.auth.actor import Actor
from pingan.auth.roles import Role
from pingan.errors import Conflict, Forbidden, NotFound, ValidationFailed
from pingan.visits import registry, visitors
from pingan.visits.models import VisitDetainee
from tests.conftest import TEST_PASSWORD
from tests.visits import rows

NOW = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)  # Monday 10:00 Beijing
SYSTEM = Actor.system("test")


def _user(session, vault, name: str, role: Role) -> Actor:
    user = auth_service.create_user(
        session, SYSTEM, vault, username=name, password=TEST_PASSWORD, role=role
    )
    return Actor(user.id, user.username, role)


def _actions(session) -> list[str]:
    return list(session.scalars(select(AuditRecord.action).order_by(AuditRecord.seq)))


def test_a_facility_with_terminals_and_hours(db):
    with db.session() as s:
        f = rows.facility(s, now=NOW)
        ((listed, terminals),) = registry.list_facilities(s)
        assert listed.id == f.id and listed.hours["0"] == [["09:00", "11:30"], ["14:00", "17:00"]]
        assert [(t.code, t.use) for t in terminals] == [("F1", "family"), ("L1", "lawyer")]
        registry.update_facility(s, SYSTEM, f.id, {"active": False}, now=NOW)
        assert registry.list_facilities(s) == []
        assert len(registry.list_facilities(s, include_inactive=True)) == 1
        assert "visits.facility_created" in _actions(s)


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"hours": {"7": [["09:00", "10:00"]]}}, "bad_hours"),
        ({"hours": {"0": [["10:00", "09:00"]]}}, "bad_hours"),
        ({"hours": {"0": [["09:00", "11:00"], ["10:00", "12:00"]]}}, "bad_hours"),
        ({"slot_minutes": 1}, "bad_slot_minutes"),
        ({"phone": "12345"}, "bad_phone"),
        ({"name": " "}, "bad_text"),
    ],
)
def test_bad_facility_changes_are_refused_and_nothing_changes(db, change, code):
    with db.session() as s:
        f = rows.facility(s, now=NOW)
        with pytest.raises(ValidationFailed) as exc:
            registry.update_facility(s, SYSTEM, f.id, change, now=NOW)
        assert exc.value.code == code
        s.rollback()
        assert registry.get_facility(s, f.id).slot_minutes == 30


def test_only_setup_roles_change_facilities(db, vault):
    with db.session() as s:
        officer = _user(s, vault, "desk1", Role.OFFICER)
        spec = registry.FacilitySpec(code="JLS1", name="拘留所", kind="admin_detention_centre")
        with pytest.raises(Forbidden):
            registry.create_facility(s, officer, spec, now=NOW)
        chief = _user(s, vault, "chief1", Role.COMMANDER)
        assert registry.create_facility(s, chief, spec, now=NOW).kind == "admin_detention_centre"
        with pytest.raises(Conflict) as exc:
            registry.save_facility(
                s, chief, registry.FacilitySpec("JLS1", "x", "rehab_centre"), now=NOW
            )
        assert exc.value.code == "kind_fixed"


def test_a_detainee_is_sealed_masked_and_keyed(db, vault):
    with db.session() as s:
        f = rows.facility(s, now=NOW)
        number = rows.id_number("19900505", "321")
        d = rows.detainee(s, vault, f, name="刘小明", number=number, now=NOW)
        assert d.name_masked == "刘**" and d.id_masked == number[:4] + "*" * 10 + number[-4:]
        assert vault.decrypt(d.name_enc) == "刘小明" and vault.decrypt(d.id_enc) == number
        assert d.id_key == vault.index(f"id:{number}") and d.status == "held"
        assert number not in str(s.scalars(select(AuditRecord.detail)).all())
        assert registry.list_detainees(s, vault, q=number) == [d]
        assert registry.list_detainees(s, vault, q="D00") == [d]
        assert registry.list_detainees(s, vault, q="X") == []


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("id_number", rows.id_number()[:-1] + "0", "invalid_id_number"),
        ("stage", "sentenced_to_death", "bad_stage"),
        ("restrictions", ("no_phone",), "bad_restriction"),
        ("detainee_no", "D 1", "bad_code"),
        ("held_since", NOW + timedelta(days=1), "held_in_future"),
        ("case_authority", "", "bad_text"),
    ],
)
def test_bad_detainees_are_refused_with_their_code(db, vault, field, value, code):
    if field == "id_number" and rows.id_number()[-1] == "0":
        value = rows.id_number()[:-1] + "1"
    with db.session() as s:
        f = rows.facility(s, now=NOW)
        spec = registry.DetaineeSpec(
            "D9", f.id, "王某", rows.id_number(), "trial", "分局", NOW - timedelta(days=1)
        )
        spec = registry.DetaineeSpec(
            **{**{k: getattr(spec, k) for k in spec.__slots__}, field: value}
        )
        with pytest.raises(ValidationFailed) as exc:
            registry.create_detainee(s, SYSTEM, vault, spec, now=NOW)
        assert exc.value.code == code
        s.rollback()
        assert s.scalars(select(VisitDetainee)).all() == []


def test_one_person_is_held_once_and_a_release_is_final(db, vault):
    with db.session() as s:
        f = rows.facility(s, now=NOW)
        d = rows.detainee(s, vault, f, now=NOW)
        with pytest.raises(Conflict) as exc:
            rows.detainee(s, vault, f, no="D0002", now=NOW)  # the same ID number
        assert exc.value.code == "already_held"
        s.rollback()
        d = registry.update_detainee(
            s, SYSTEM, d.id, {"status": "released", "stage": "trial"}, now=NOW
        )
        assert d.status == "released" and d.released_at == NOW
        with pytest.raises(Conflict) as exc:
            registry.update_detainee(s, SYSTEM, d.id, {"status": "held"}, now=NOW)
        assert exc.value.code == "bad_status_move"
        assert rows.detainee(s, vault, f, no="D0002", now=NOW).status == "held"  # re-admitted


def test_a_visitor_needs_l2_and_takes_the_registers_name(db, vault):
    with db.session() as s:
        citizen = _user(s, vault, "resident1", Role.CITIZEN)
        with pytest.raises(Forbidden) as exc:
            visitors.register_me(s, citizen, vault, role="family", now=NOW)
        assert exc.value.code == "assurance_too_low"
        s.rollback()
        v = rows.visitor(s, vault, citizen.user_id, name="张三", now=NOW)
        assert v.role == "family" and v.name_masked == "张*" and vault.decrypt(v.name_enc) == "张三"
        assert v.id_key == vault.index(f"id:{rows.id_number()}")
        assert v.phone_masked == "139****5678"  # the register's phone, for reminders
        with pytest.raises(Forbidden) as exc:
            visitors.register_me(
                s,
                citizen,
                vault,
                role="lawyer",
                licence_no=rows.LICENCE,
                organisation="律所",
                now=NOW,
            )
        assert exc.value.code == "lawyer_role_needed"


def test_a_lawyer_needs_a_licence_number_and_a_firm(db, vault):
    with db.session() as s:
        lawyer = _user(s, vault, "counsel1", Role.LAWYER)
        rows.give_l2(
            s, vault, lawyer.user_id, number=rows.id_number(seq="777"), name="李律", now=NOW
        )
        for licence, org, code in (
            ("1234", "律所", "bad_licence_no"),
            (rows.LICENCE, "", "organisation_needed"),
        ):
            with pytest.raises(ValidationFailed) as exc:
                visitors.register_me(
                    s, lawyer, vault, role="lawyer", licence_no=licence, organisation=org, now=NOW
                )
            assert exc.value.code == code
            s.rollback()
        v, created = visitors.register_me(
            s, lawyer, vault, role="lawyer", licence_no=rows.LICENCE, organisation="律所", now=NOW
        )
        assert created and v.licence_no == rows.LICENCE
        _, created = visitors.register_me(
            s,
            lawyer,
            vault,
            role="lawyer",
            phone="13700001111",
            licence_no=rows.LICENCE,
            organisation="律所",
            now=NOW,
        )
        assert not created and v.phone_masked == "137****1111"


def test_a_tie_names_the_detainee_by_number_and_name_and_keeps_the_proof(db, vault, tmp_path):
    with db.session() as s:
        f = rows.facility(s, now=NOW)
        d = rows.detainee(s, vault, f, name="刘某某", now=NOW)
        citizen = _user(s, vault, "resident1", Role.CITIZEN)
        rows.visitor(s, vault, citizen.user_id, now=NOW)
        pdf = base64.b64encode(rows.PDF).decode()
        claim = dict(relation="spouse", proof_kind="marriage_certificate", proof_b64=pdf, now=NOW)
        for number, name in (("D0001", "刘某"), ("D9999", "刘某某")):
            with pytest.raises(NotFound) as exc:
                visitors.claim_tie(
                    s, citizen, vault, tmp_path, detainee_no=number, detainee_name=name, **claim
                )
            assert exc.value.code == "detainee_not_found"
        for bad, code in (
            ({"relation": "cousin"}, "bad_relation"),
            ({"proof_kind": "engagement_letter"}, "bad_proof_kind"),
            ({"proof_b64": "not base64!"}, "bad_proof"),
            ({"proof_b64": base64.b64encode(b"GIF89a").decode()}, "bad_proof_type"),
        ):
            with pytest.raises(ValidationFailed) as exc:
                visitors.claim_tie(
                    s,
                    citizen,
                    vault,
                    tmp_path,
                    detainee_no="D0001",
                    detainee_name="刘某某",
                    **{**claim, **bad},
                )
            assert exc.value.code == code
        rel = visitors.claim_tie(
            s, citizen, vault, tmp_path, detainee_no="D0001", detainee_name=" 刘某某 ", **claim
        )
        assert rel.status == "pending" and rel.detainee_id == d.id
        assert (tmp_path / rel.proof_ref).read_bytes() == rows.PDF
        officer = _user(s, vault, "desk1", Role.OFFICER)
        with pytest.raises(ValidationFailed) as exc:
            visitors.review_tie(s, officer, rel.id, decision="refuse", reason=" ", now=NOW)
        assert exc.value.code == "reason_needed"
        visitors.review_tie(s, officer, rel.id, decision="accept", reason=None, now=NOW)
        assert rel.status == "accepted" and rel.reviewed_by == officer.user_id
        with pytest.raises(Conflict) as exc:
            visitors.review_tie(s, officer, rel.id, decision="refuse", reason="x", now=NOW)
        assert exc.value.code == "already_reviewed"
        with pytest.raises(Conflict) as exc:
            visitors.claim_tie(
                s, citizen, vault, tmp_path, detainee_no="D0001", detainee_name="刘某某", **claim
            )
        assert exc.value.code == "already_tied"
        assert {"visits.relation_claimed", "visits.relation_reviewed"} <= set(_actions(s))


def test_consents_cover_a_visit_for_their_period_until_revoked(db, vault):
    with db.session() as s:
        f = rows.facility(s, now=NOW)
        d = rows.detainee(s, vault, f, now=NOW)
        officer = _user(s, vault, "desk1", Role.OFFICER)
        with pytest.raises(ValidationFailed) as exc:
            visitors.record_approval(
                s,
                officer,
                detainee_id=d.id,
                visitor_id=None,
                authority="分局",
                document_no="1",
                valid_from=NOW,
                valid_until=NOW,
                now=NOW,
            )
        assert exc.value.code == "bad_validity"
        ok = visitors.record_approval(
            s,
            officer,
            detainee_id=d.id,
            visitor_id=None,
            authority="分局",
            document_no="同意书1号",
            valid_from=NOW,
            valid_until=NOW + timedelta(days=30),
            now=NOW,
        )
        citizen = _user(s, vault, "resident1", Role.CITIZEN)
        v = rows.visitor(s, vault, citizen.user_id, now=NOW)
        visit = dict(detainee_id=d.id, visitor_id=v.id)
        assert (
            visitors.approval_for(
                s, **visit, starts=NOW + timedelta(days=1), ends=NOW + timedelta(days=1, minutes=30)
            )
            == ok
        )
        assert (
            visitors.approval_for(
                s,
                **visit,
                starts=NOW + timedelta(days=31),
                ends=NOW + timedelta(days=31, minutes=30),
            )
            is None
        )
        visitors.revoke_approval(s, officer, ok.id, reason="办案机关撤回", now=NOW)
        assert visitors.approval_state(ok, NOW) == "revoked"
        assert (
            visitors.approval_for(
                s, **visit, starts=NOW + timedelta(days=1), ends=NOW + timedelta(days=1, minutes=30)
            )
            is None
        )
        with pytest.raises(Conflict):
            visitors.revoke_approval(s, officer, ok.id, reason="again", now=NOW)


def test_a_suspended_visitor_is_reinstated_by_the_desk(db, vault):
    with db.session() as s:
        citizen = _user(s, vault, "resident1", Role.CITIZEN)
        v = rows.visitor(s, vault, citizen.user_id, now=NOW)
        officer = _user(s, vault, "desk1", Role.OFFICER)
        with pytest.raises(Conflict) as exc:
            visitors.reinstate(s, officer, v.id, reason="误判", now=NOW)
        assert exc.value.code == "not_suspended"
        visitors.suspend(s, SYSTEM, v, reason="no_shows", now=NOW)
        s.commit()
        assert v.suspended_until == NOW + timedelta(days=90)
        visitors.reinstate(s, officer, v.id, reason="误判", now=NOW)
        assert v.status == "active" and v.suspended_until is None
        assert "visits.visitor_reinstated" in _actions(s)
