"""Read-only reference data for clients: incident types, unit kinds, sources, targets (arrival
and call-to-dispatch), shifts, lost-and-found item categories and the match alert threshold,
and the banks that take stop orders."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter

from pingan.auth.actor import Actor
from pingan.dispatch.dispatch_targets import dispatch_targets
from pingan.dispatch.kpi import LOCAL_TZ, shifts
from pingan.fraud.gateway import banks as fraud_banks
from pingan.http.deps import permit
from pingan.i18n import text
from pingan.incidents.catalogue import SOURCE_NAMES_ZH, incident_types, response_tiers
from pingan.incidents.lifecycle import STATE_NAMES_ZH
from pingan.services import settings as service_settings
from pingan.services.catalogue import category_names
from pingan.units.catalogue import STATUS_NAMES_ZH, unit_kinds

router = APIRouter(prefix="/catalogue", tags=["http.tag_catalogue"])
Reader = Annotated[Actor, permit("catalogue.read")]


@router.get("/incident-types", summary="http.api.incident_types")
def get_incident_types(actor: Reader) -> list[dict[str, Any]]:
    return [asdict(t) for t in incident_types().values()]


@router.get("/unit-kinds", summary="http.api.unit_kinds")
def get_unit_kinds(actor: Reader) -> list[dict[str, Any]]:
    return [asdict(k) for k in unit_kinds().values()]


@router.get("/response-targets", summary="http.api.response_targets")
def get_response_targets(actor: Reader) -> list[dict[str, Any]]:
    tiers, late = response_tiers()
    return [asdict(t) for t in (*tiers, late)]


@router.get("/labels", summary="http.api.labels")
def get_labels(actor: Reader) -> dict[str, dict[str, str]]:
    return {
        # in the request's language
        "incident_states": {str(k): text(f"incidents.state.{k}") for k in STATE_NAMES_ZH},
        "unit_statuses": {str(k): text(f"units.status.{k}") for k in STATUS_NAMES_ZH},
        "sources": {str(k): text(f"incidents.source.{k}") for k in SOURCE_NAMES_ZH},
    }


@router.get("/shifts", summary="http.api.shifts")
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


@router.get("/item-categories", summary="http.api.item_categories")
def get_item_categories(actor: Reader) -> list[dict[str, str]]:
    """Code, Chinese and English name of each category (a form shows the half for its
    language); the API also takes the categories' aliases, which are not listed here."""
    return category_names()


@router.get("/lost-found", summary="http.api.lost_found_rules")
def get_lost_found_rules(actor: Reader) -> dict[str, float]:
    """The score at which a match alerts the owner and the desk (settings.yaml): the desk
    marks those matches the way the registry itself judges them."""
    return {"alert_threshold": float(service_settings.lost_found()["alert_threshold"])}


@router.get("/dispatch-targets", summary="http.api.dispatch_targets")
def get_dispatch_targets(actor: Reader) -> dict[str, float]:
    """Seconds a received call may wait for its first dispatch order, keyed by priority."""
    return {str(p): s for p, s in dispatch_targets().items()}


@router.get("/banks", summary="http.api.banks")
def get_banks(actor: Reader) -> list[dict[str, str | None]]:
    """The banks and payment firms that take stop orders (banks.yaml): code, kind and names,
    so a victim picks "中国建设银行" rather than typing "CCB"."""
    return [
        {"code": b.code, "kind": b.kind, "name_zh": b.zh, "name_en": b.en, "cnaps": b.cnaps}
        for b in fraud_banks().values()
    ]
