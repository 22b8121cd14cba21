from pathlib import Path

import pytest
import yaml

from pingan.dispatch.response_plans import PlanError, load_plans
from pingan.units.catalogue import unit_kinds

INCIDENT_TYPES = [
    "crowding", "theft", "fight", "disturbance", "traffic_accident", "breakdown", "lost_item",
    "missing_person", "car_finding", "fraud", "fire_rescue", "suspicious", "other",
]  # fmt: skip
UNIT_KINDS = set(unit_kinds())


def test_every_incident_type_has_a_card_with_known_kinds():
    plans = load_plans()
    assert set(plans.plans) == set(INCIDENT_TYPES)
    for code in INCIDENT_TYPES:
        for prio in (1, 2, 3, 4, None):
            plan = plans.plan_for(code, prio)
            assert plan.requirements
            for req in plan.requirements:
                assert req.kinds and set(req.kinds) <= UNIT_KINDS
                assert req.units >= 1 or req.within_m
                assert all(unit_kinds()[k].may_attend(code) for k in req.kinds)


def test_codes_match_the_incident_catalogue():
    types = Path(__file__).resolve().parents[2] / "src" / "pingan" / "incidents" / "types.yaml"
    if not types.exists():
        pytest.skip("incident catalogue not present")
    assert set(yaml.safe_load(types.read_text(encoding="utf-8"))) == set(INCIDENT_TYPES)


def test_examples_from_the_brief():
    plans = load_plans()
    crowd = plans.plan_for("crowding", 2).requirements
    assert [(r.kinds, r.units) for r in crowd] == [
        (("ptu",), 1),
        (("foot_patrol",), 2),
        (("traffic",), 1),
    ]
    fight = plans.plan_for("fight", 1).requirements[0]
    assert fight.units == 2 and fight.min_crew == 4 and "arrest" in fight.capabilities
    lost_child = plans.plan_for("missing_person", 1).requirements
    assert lost_child[0].units == 3 and "volunteer" not in lost_child[0].kinds
    assert {"volunteer", "grid_worker"} <= set(lost_child[-1].kinds) and lost_child[-1].within_m


def test_groups_keep_only_the_kinds_whose_remit_covers_the_type():
    plans = load_plans()
    missing = plans.plan_for("missing_person", 1).requirements[-1].kinds
    assert "grid_worker" in missing and "firefighter" not in missing  # partners group, filtered
    fire = {k for r in plans.plan_for("fire_rescue").requirements for k in r.kinds}
    assert "firefighter" in fire
    for prio in (1, 2, None):
        fight = {k for r in plans.plan_for("fight", prio).requirements for k in r.kinds}
        assert not fight & {"grid_worker", "volunteer", "shop_watch", "city_management"}


def test_malformed_file_is_a_clear_error(tmp_path: Path):
    bad = tmp_path / "plans.yaml"
    bad.write_text("plans: [1, 2")
    with pytest.raises(PlanError, match="malformed"):
        load_plans(bad)
