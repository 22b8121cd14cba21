"""A crowd level change opens one crowding incident per area and raises it; never duplicates."""

from __future__ import annotations

from sqlalchemy import select

from pingan.auth.actor import Actor
from pingan.auth.roles import Role
from pingan.incidents import service
from pingan.incidents.models import Incident
from pingan.incidents.reactions import on_crowd_alert

READER = Actor(user_id=None, username="r", role=Role.DISPATCHER)


def alert(level: str, priority: int | None, kind: str = "level_changed") -> dict:
    return {
        "kind": kind,
        "area_code": "bridge_3",
        "area_name_zh": "三号桥",
        "level": level,
        "suggested_priority": priority,
        "lon": 109.79,
        "lat": 39.6,
        "text_zh": f"三号桥{level}",
        "text_en": f"Bridge No. 3 {level}",
    }


def test_open_then_raise_then_note(db, vault):
    with db.session() as s:
        first = on_crowd_alert(s, vault, alert("yellow", 3))
        assert first.type_code == "crowding" and first.priority == 3 and first.source == "sensor"
        raised = on_crowd_alert(s, vault, alert("red", 1))
        assert raised.id == first.id and raised.priority == 1
        calmer = on_crowd_alert(s, vault, alert("orange", 2))
        assert calmer.priority == 1  # never lowered automatically
        on_crowd_alert(s, vault, alert("normal", None))
        assert len(s.execute(select(Incident)).scalars().all()) == 1
        kinds = [e.kind for e in service.timeline(s, READER, first.id)]
        assert kinds == ["received", "reprioritised", "noted", "noted"]


def test_normal_or_other_kinds_open_nothing(db, vault):
    with db.session() as s:
        assert on_crowd_alert(s, vault, alert("normal", None)) is None
        assert on_crowd_alert(s, vault, alert("yellow", 3, kind="level_repeated")) is None
        assert s.execute(select(Incident)).first() is None
