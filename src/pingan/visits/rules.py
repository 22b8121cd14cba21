"""The video visit rules from rules.yaml, checked once when first read.

`rules()` returns one frozen tree; `rules().visit(facility_kind, visitor_kind)` answers what a
visit of that kind may be. A file that breaks the law or itself (a lawyer's call recorded,
a missing pair, an unknown key, a wrong type) fails loudly when loaded, never half-applied.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import time
from functools import cache
from importlib import resources
from itertools import pairwise
from types import MappingProxyType
from typing import Any

import yaml

VISIT_KEYS = (
    "allowed",
    "needs_consent",
    "recorded",
    "monitored",
    "max_persons",
    "max_minutes",
    "quota_per_month",
    "hours",
    "arrange_within_h",
)
HOURS_KINDS = ("facility", "working")
LAWYER_ARRANGE_MAX_H = 48  # 刑诉法 §39: a defence lawyer's visit is arranged within 48 hours
GLOBAL_INTS = (
    "cancel_before_h",
    "late_after_min",
    "no_show_limit",
    "no_show_window_days",
    "suspension_days",
    "join_early_min",
    "identity_fresh_min",
    "recording_retention_days",
    "reminder_before_h",
    "booking_horizon_days",
    "proof_max_bytes",
    "family_live_per_detainee",
)
TOP_KEYS = frozenset(
    (
        "facility_kinds",
        "visitor_kinds",
        "visits",
        "working_hours",
        "lawyer_day_share",
        "proof_media_types",
        "licence_no",
        "detainee_statuses",
        "stages",
        "restrictions",
        "terminal_uses",
        *GLOBAL_INTS,
    )
)


class RulesError(ValueError):
    """The rules file is wrong; the message says where."""


@dataclass(frozen=True, slots=True)
class VisitRule:
    """What one visitor kind may do at one facility kind."""

    facility_kind: str
    visitor_kind: str
    allowed: bool
    needs_consent: bool
    recorded: bool
    monitored: bool
    max_persons: int
    max_minutes: int
    quota_per_month: int | None  # per detainee, all visitors together; None = no quota
    hours: str  # facility / working
    arrange_within_h: int | None


@dataclass(frozen=True, slots=True)
class VisitorKind:
    """A kind of visitor: the ties it may claim and the proofs it may bring."""

    code: str
    zh: str
    en: str
    relations: tuple[str, ...]
    proof_kinds: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class FacilityKind:
    code: str
    zh: str
    en: str


@dataclass(frozen=True, slots=True)
class Restriction:
    """A restriction code on a detainee's record and what it changes."""

    code: str
    blocks: frozenset[str]  # visitor kinds refused outright
    needs_consent: frozenset[str]  # visitor kinds that then need the case authority's consent
    stages: frozenset[str] | None  # None: every stage

    def applies(self, stage: str) -> bool:
        return self.stages is None or stage in self.stages


@dataclass(frozen=True, slots=True)
class WorkingHours:
    """Working hours in Beijing time for visits whose rule says `hours: working`."""

    weekdays: frozenset[int]  # 0 = Monday
    periods: tuple[tuple[time, time], ...]
    slot_minutes: int


@dataclass(frozen=True, slots=True)
class Rules:
    facility_kinds: Mapping[str, FacilityKind]
    visitor_kinds: Mapping[str, VisitorKind]
    visits: Mapping[tuple[str, str], VisitRule]
    working_hours: WorkingHours
    lawyer_share_visitor: float
    lawyer_share_firm: float
    family_live_per_detainee: int
    cancel_before_h: int
    late_after_min: int
    no_show_limit: int
    no_show_window_days: int
    suspension_days: int
    join_early_min: int
    identity_fresh_min: int
    recording_retention_days: int
    reminder_before_h: int
    booking_horizon_days: int
    proof_max_bytes: int
    proof_media_types: frozenset[str]
    licence_no: re.Pattern[str]
    detainee_statuses: tuple[str, ...]
    stages: tuple[str, ...]
    restrictions: Mapping[str, Restriction]
    terminal_uses: Mapping[str, frozenset[str]]

    def visit(self, facility_kind: str, visitor_kind: str) -> VisitRule:
        """The rule for this pair; KeyError for a kind the rules do not know."""
        return self.visits[(facility_kind, visitor_kind)]

    def needs_consent(
        self, facility_kind: str, visitor_kind: str, *, stage: str, restrictions: Iterable[str]
    ) -> bool:
        """Consent needed: by the rule, or by a restriction the detainee holds in its stage."""
        if self.visit(facility_kind, visitor_kind).needs_consent:
            return True
        return any(
            visitor_kind in r.needs_consent and r.applies(stage) for r in self._held(restrictions)
        )

    def blocked(self, visitor_kind: str, *, stage: str, restrictions: Iterable[str]) -> str | None:
        """The restriction code that refuses this visitor kind outright, or None."""
        for r in self._held(restrictions):
            if visitor_kind in r.blocks and r.applies(stage):
                return r.code
        return None

    def serves(self, terminal_use: str, visitor_kind: str) -> bool:
        return visitor_kind in self.terminal_uses.get(terminal_use, frozenset())

    def _held(self, codes: Iterable[str]) -> list[Restriction]:
        return [self.restrictions[c] for c in codes if c in self.restrictions]


def _need(cond: bool, where: str, what: str) -> None:
    if not cond:
        raise RulesError(f"visits rules: {where}: {what}")


def _int(raw: Any, where: str, *, minimum: int = 1, nullable: bool = False) -> int | None:
    if raw is None and nullable:
        return None
    _need(
        isinstance(raw, int) and not isinstance(raw, bool) and raw >= minimum,
        where,
        f"must be a whole number ≥ {minimum}, not {raw!r}",
    )
    return int(raw)


def _bool(raw: Any, where: str) -> bool:
    _need(isinstance(raw, bool), where, f"must be true or false, not {raw!r}")
    return bool(raw)


def _codes(raw: Any, where: str) -> tuple[str, ...]:
    _need(
        isinstance(raw, list) and raw and all(isinstance(c, str) and c for c in raw),
        where,
        "must be a non-empty list of codes",
    )
    _need(len(set(raw)) == len(raw), where, "has a code twice")
    return tuple(raw)


def _keys(raw: Any, where: str, allowed: frozenset[str] | tuple[str, ...], *, all_: bool) -> None:
    _need(isinstance(raw, dict), where, "must be a mapping")
    unknown = set(raw) - set(allowed)
    _need(not unknown, where, f"unknown keys {sorted(unknown)}")
    if all_:
        missing = set(allowed) - set(raw)
        _need(not missing, where, f"missing keys {sorted(missing)}")


def _visit(fk: str, vk: str, raw: Any) -> VisitRule:
    where = f"visits.{fk}.{vk}"
    _keys(raw, where, VISIT_KEYS, all_=True)
    rule = VisitRule(
        facility_kind=fk,
        visitor_kind=vk,
        allowed=_bool(raw["allowed"], f"{where}.allowed"),
        needs_consent=_bool(raw["needs_consent"], f"{where}.needs_consent"),
        recorded=_bool(raw["recorded"], f"{where}.recorded"),
        monitored=_bool(raw["monitored"], f"{where}.monitored"),
        max_persons=_int(raw["max_persons"], f"{where}.max_persons"),  # type: ignore[arg-type]
        max_minutes=_int(raw["max_minutes"], f"{where}.max_minutes"),  # type: ignore[arg-type]
        quota_per_month=_int(raw["quota_per_month"], f"{where}.quota_per_month", nullable=True),
        hours=raw["hours"],
        arrange_within_h=_int(raw["arrange_within_h"], f"{where}.arrange_within_h", nullable=True),
    )
    _need(rule.hours in HOURS_KINDS, f"{where}.hours", f"must be one of {HOURS_KINDS}")
    if vk == "lawyer":
        # 刑诉法 §39: counsel is never listened to; the file may not say otherwise.
        _need(not rule.recorded, f"{where}.recorded", "a lawyer's visit is never recorded")
        _need(not rule.monitored, f"{where}.monitored", "a lawyer's visit is never monitored")
        _need(
            rule.arrange_within_h is not None and rule.arrange_within_h <= LAWYER_ARRANGE_MAX_H,
            f"{where}.arrange_within_h",
            f"a lawyer's visit is arranged within {LAWYER_ARRANGE_MAX_H} h",
        )
    return rule


def _clock(raw: Any, where: str) -> time:
    _need(
        isinstance(raw, str) and re.fullmatch(r"\d{2}:\d{2}", raw) is not None,
        where,
        f"must be HH:MM, not {raw!r}",
    )
    try:
        return time.fromisoformat(raw)
    except ValueError as exc:
        raise RulesError(f"visits rules: {where}: {exc}") from None


def _working_hours(raw: Any) -> WorkingHours:
    where = "working_hours"
    _keys(raw, where, ("weekdays", "periods", "slot_minutes"), all_=True)
    days = raw["weekdays"]
    _need(
        isinstance(days, list) and days and all(d in range(7) for d in days),
        f"{where}.weekdays",
        "must list weekdays 0 (Monday) to 6",
    )
    _need(isinstance(raw["periods"], list) and raw["periods"], f"{where}.periods", "empty")
    periods = []
    for i, p in enumerate(raw["periods"]):
        _need(isinstance(p, list) and len(p) == 2, f"{where}.periods[{i}]", "must be [from, to]")
        start, end = _clock(p[0], f"{where}.periods[{i}]"), _clock(p[1], f"{where}.periods[{i}]")
        _need(start < end, f"{where}.periods[{i}]", "must end after it starts")
        periods.append((start, end))
    for (_, a_end), (b_start, _) in pairwise(periods):
        _need(a_end <= b_start, f"{where}.periods", "must be in order and not overlap")
    return WorkingHours(
        frozenset(days),
        tuple(periods),
        _int(raw["slot_minutes"], f"{where}.slot_minutes"),  # type: ignore[arg-type]
    )


def _share(raw: Any, where: str) -> float:
    _need(
        isinstance(raw, (int, float)) and not isinstance(raw, bool) and 0 < raw <= 1,
        where,
        f"must be a share in (0, 1], not {raw!r}",
    )
    return float(raw)


def _restrictions(raw: Any, visitor_kinds: set[str], stages: set[str]) -> dict[str, Restriction]:
    _need(isinstance(raw, dict) and raw, "restrictions", "must be a non-empty mapping")
    out = {}
    for code, spec in raw.items():
        where = f"restrictions.{code}"
        _keys(spec, where, ("blocks", "needs_consent", "stages"), all_=False)
        blocks = frozenset(_codes(spec["blocks"], f"{where}.blocks")) if "blocks" in spec else None
        consent = (
            frozenset(_codes(spec["needs_consent"], f"{where}.needs_consent"))
            if "needs_consent" in spec
            else None
        )
        _need(bool(blocks or consent), where, "must block or need consent")
        for kind in (blocks or frozenset()) | (consent or frozenset()):
            _need(kind in visitor_kinds, where, f"unknown visitor kind {kind!r}")
        in_stages = (
            frozenset(_codes(spec["stages"], f"{where}.stages")) if "stages" in spec else None
        )
        _need(in_stages is None or in_stages <= stages, f"{where}.stages", "unknown stage")
        out[code] = Restriction(code, blocks or frozenset(), consent or frozenset(), in_stages)
    return out


def parse(raw: Any) -> Rules:
    """Check the whole file and build the tree; RulesError names the first fault."""
    _keys(raw, "top level", TOP_KEYS, all_=True)
    fkinds = {}
    _need(
        isinstance(raw["facility_kinds"], dict) and raw["facility_kinds"], "facility_kinds", "empty"
    )
    for code, spec in raw["facility_kinds"].items():
        _keys(spec, f"facility_kinds.{code}", ("zh", "en"), all_=True)
        fkinds[code] = FacilityKind(code, str(spec["zh"]), str(spec["en"]))
    vkinds = {}
    _need(isinstance(raw["visitor_kinds"], dict) and raw["visitor_kinds"], "visitor_kinds", "empty")
    for code, spec in raw["visitor_kinds"].items():
        where = f"visitor_kinds.{code}"
        _keys(spec, where, ("zh", "en", "relations", "proof_kinds"), all_=True)
        vkinds[code] = VisitorKind(
            code,
            str(spec["zh"]),
            str(spec["en"]),
            _codes(spec["relations"], f"{where}.relations"),
            _codes(spec["proof_kinds"], f"{where}.proof_kinds"),
        )
    _need("lawyer" in vkinds and "family" in vkinds, "visitor_kinds", "needs family and lawyer")
    visits: dict[tuple[str, str], VisitRule] = {}
    _keys(raw["visits"], "visits", tuple(fkinds), all_=True)
    for fk in fkinds:
        _keys(raw["visits"][fk], f"visits.{fk}", tuple(vkinds), all_=True)
        for vk in vkinds:
            visits[(fk, vk)] = _visit(fk, vk, raw["visits"][fk][vk])
    ints = {k: _int(raw[k], k) for k in GLOBAL_INTS}
    share = raw["lawyer_day_share"]
    _keys(share, "lawyer_day_share", ("visitor", "firm"), all_=True)
    stages = _codes(raw["stages"], "stages")
    uses = raw["terminal_uses"]
    _need(isinstance(uses, dict) and uses, "terminal_uses", "must be a non-empty mapping")
    for use, kinds in uses.items():
        for kind in _codes(kinds, f"terminal_uses.{use}"):
            _need(kind in vkinds, f"terminal_uses.{use}", f"unknown visitor kind {kind!r}")
    try:
        licence = re.compile(raw["licence_no"])
    except (re.error, TypeError) as exc:
        raise RulesError(f"visits rules: licence_no: {exc}") from None
    return Rules(
        facility_kinds=MappingProxyType(fkinds),
        visitor_kinds=MappingProxyType(vkinds),
        visits=MappingProxyType(visits),
        working_hours=_working_hours(raw["working_hours"]),
        lawyer_share_visitor=_share(share["visitor"], "lawyer_day_share.visitor"),
        lawyer_share_firm=_share(share["firm"], "lawyer_day_share.firm"),
        proof_media_types=frozenset(_codes(raw["proof_media_types"], "proof_media_types")),
        licence_no=licence,
        detainee_statuses=_codes(raw["detainee_statuses"], "detainee_statuses"),
        stages=stages,
        restrictions=MappingProxyType(_restrictions(raw["restrictions"], set(vkinds), set(stages))),
        terminal_uses=MappingProxyType({u: frozenset(k) for u, k in uses.items()}),
        **ints,  # type: ignore[arg-type]
    )


def load_text(text: str) -> Rules:
    """Parse YAML text; a YAML syntax error is a RulesError too."""
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise RulesError(f"visits rules: not YAML: {exc}") from None
    return parse(raw)


@cache
def rules() -> Rules:
    """The packaged rules, read and checked once."""
    return load_text(resources.files("pingan.visits").joinpath("rules.yaml").read_text("utf-8"))
