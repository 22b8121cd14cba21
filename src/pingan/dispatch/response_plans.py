"""Response plans (处警预案, "run cards") read from ``response_plans.yaml``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources
from pathlib import Path

import yaml

from pingan.i18n import msg


class PlanError(ValueError):
    """The plan file is malformed or has no plan for the incident type."""


@dataclass(frozen=True, slots=True)
class Requirement:
    """One line of a run card: ``units`` of ``kinds`` with ``capabilities``, ``min_crew`` people."""

    kinds: tuple[str, ...]
    units: int = 1
    min_crew: int = 0
    capabilities: tuple[str, ...] = ()
    within_m: float | None = None  # "everyone in the zone" instead of a count
    note_zh: str = ""
    note_en: str = ""


@dataclass(frozen=True, slots=True)
class Plan:
    incident_type: str
    priority: int | None  # None: the type's default card
    requirements: tuple[Requirement, ...]


@dataclass(frozen=True, slots=True)
class ResponsePlans:
    plans: Mapping[str, Mapping[str, tuple[Requirement, ...]]]

    def plan_for(self, incident_type: str, priority: int | None = None) -> Plan:
        """The card for this type and priority, else the type's default card."""
        cards = self.plans.get(incident_type) or self.plans.get("other")
        if not cards:
            raise PlanError(msg("dispatch.no_plan", incident_type=incident_type))
        key = str(priority) if priority is not None and str(priority) in cards else "default"
        if key not in cards:
            key = min(cards)  # no default: the most urgent card defined
        plan = Plan(incident_type, None if key == "default" else int(key), cards[key])
        return within_remit(plan)


def within_remit(plan: Plan) -> Plan:
    """The card with every kind removed that may not attend the plan's incident type.

    A kind's remit (``attends`` in units/kinds.yaml) outranks any card: a grid worker is
    never proposed for a fight, even by a card or a group that lists it. Kinds outside the
    catalogue carry no remit and are kept.
    """
    from pingan.units.catalogue import unit_kinds

    kinds = unit_kinds()
    allowed = [
        tuple(k for k in r.kinds if k not in kinds or kinds[k].may_attend(plan.incident_type))
        for r in plan.requirements
    ]
    if all(a == r.kinds for a, r in zip(allowed, plan.requirements, strict=True)):
        return plan
    reqs = tuple(replace(r, kinds=a) for a, r in zip(allowed, plan.requirements, strict=True))
    return replace(plan, requirements=reqs)


def _requirement(raw: Mapping, groups: Mapping[str, list[str]]) -> Requirement:
    kinds: list[str] = []
    for k in raw["kinds"]:
        kinds += groups.get(k, [k])
    within = raw.get("within_m")
    return Requirement(
        kinds=tuple(dict.fromkeys(kinds)),
        units=int(raw.get("units", 0 if within else 1)),
        min_crew=int(raw.get("min_crew", 0)),
        capabilities=tuple(raw.get("capabilities", ())),
        within_m=float(within) if within is not None else None,
        note_zh=str(raw.get("note_zh", "")),
        note_en=str(raw.get("note_en", "")),
    )


@cache
def _load(path: str) -> ResponsePlans:
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        groups = data.get("groups", {})
        plans = {
            str(itype): {
                str(prio): tuple(_requirement(r, groups) for r in reqs)
                for prio, reqs in cards.items()
            }
            for itype, cards in data["plans"].items()
        }
    except (OSError, yaml.YAMLError, KeyError, TypeError, ValueError, AttributeError) as exc:
        raise PlanError(msg("dispatch.bad_plans_file", path=path, exc=exc)) from exc
    return ResponsePlans(plans)


def load_plans(path: str | Path | None = None) -> ResponsePlans:
    """Plans from ``path`` or the packaged ``response_plans.yaml`` (cached per path)."""
    default = resources.files("pingan.dispatch").joinpath("response_plans.yaml")
    return _load(str(path or default))
