"""Read-only reference data for clients: incident types, unit kinds, sources, targets (arrival
and call-to-dispatch), shifts, lost-and-found item categories."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter

from pingan.auth.actor import Actor
from pingan.dispatch.dispatch_targets import dispatch_targets
from pingan.dispatch.kpi import LOCAL_TZ, shifts
from pingan.http.deps import permit
from pingan.incidents.catalogue import SOURCE_NAMES_ZH, incident_types, response_tiers
from pingan.incidents.lifecycle import STATE_NAMES_ZH
from pingan.services.matcher import categories
from pingan.units.catalogue import STATUS_NAMES_ZH, unit_kinds

router = APIRouter(prefix="/catalogue", tags=["catalogue 字典"])
Reader = Annotated[Actor, permit("catalogue.read")]


@router.get("/incident-types", summary="警情类别 / incident types")
def get_incident_types(actor: Reader) -> list[dict[str, Any]]:
    return [asdict(t) for t in incident_types().values()]


@router.get("/unit-kinds", summary="警力类型 / unit kinds")
def get_unit_kinds(actor: Reader) -> list[dict[str, Any]]:
    return [asdict(k) for k in unit_kinds().values()]


@router.get("/response-targets", summary="1-3-5分钟到场目标 / response targets")
def get_response_targets(actor: Reader) -> list[dict[str, Any]]:
    tiers, late = response_tiers()
    return [asdict(t) for t in (*tiers, late)]


@router.get("/labels", summary="状态与来源名称 / labels for states and sources")
def get_labels(actor: Reader) -> dict[str, dict[str, str]]:
    return {
        "incident_states": {str(k): v for k, v in STATE_NAMES_ZH.items()},
        "unit_statuses": {str(k): v for k, v in STATUS_NAMES_ZH.items()},
        "sources": {str(k): v for k, v in SOURCE_NAMES_ZH.items()},
    }


@router.get("/shifts", summary="班次 / shifts, in local time")
def get_shifts(actor: Reader) -> dict[str, Any]:
    """What a deployment plan is made for; the zone says which day "today" is."""
    return {
        "timezone": str(LOCAL_TZ),
        "shifts": [
            {
                "code": s.code,
                "name_zh": s.name_zh,
                "name_en": s.name_en,
                "start": s.start.isoformat("minutes"),
                "end": s.end.isoformat("minutes"),
            }
            for s in shifts()
        ],
    }


@router.get("/item-categories", summary="遗失物类别 / lost-and-found item categories")
def get_item_categories(actor: Reader) -> list[dict[str, str]]:
    return [{"code": code, **names} for code, names in categories().items()]


@router.get("/dispatch-targets", summary="派警时限 / call-to-dispatch targets")
def get_dispatch_targets(actor: Reader) -> dict[str, float]:
    """Seconds a received call may wait for its first dispatch order, keyed by priority."""
    return {str(p): s for p, s in dispatch_targets().items()}
