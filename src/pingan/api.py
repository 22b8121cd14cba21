"""Every domain's router, mounted under /api/v1 in one place."""

from __future__ import annotations

from fastapi import APIRouter

from pingan.audit.router import router as audit_router
from pingan.auth.router import router as auth_router
from pingan.crowd.router import router as crowd_router
from pingan.deployment.router import router as deployment_router
from pingan.devices.router import router as devices_router
from pingan.dispatch.router import router as dispatch_router
from pingan.fraud.router import router as fraud_router
from pingan.fraud.stats_router import router as fraud_stats_router
from pingan.fraud.warnings.router import router as fraud_warnings_router
from pingan.geo.router import router as geo_router
from pingan.http.catalogue import router as catalogue_router
from pingan.incidents.intake import router as intake_router
from pingan.incidents.router import router as incidents_router
from pingan.kinship.match_router import router as kinship_match_router
from pingan.kinship.photos_router import router as kinship_photos_router
from pingan.kinship.records_router import router as kinship_records_router
from pingan.live.router import router as live_router
from pingan.rosters.router import router as rosters_router
from pingan.services.router import router as services_router
from pingan.trust.certificates.router import router as certificates_router
from pingan.trust.identity.router import router as identity_router
from pingan.trust.signing.router import router as trust_router
from pingan.trust.unlock.router import router as unlock_router
from pingan.units.router import router as units_router
from pingan.video.router import router as video_router
from pingan.visits.booking_router import router as visits_booking_router
from pingan.visits.call_router import router as visits_call_router
from pingan.visits.call_router import socket_router as visits_socket_router
from pingan.visits.registry_router import router as visits_registry_router

API_PREFIX = "/api/v1"
DOMAIN_ROUTERS = (
    auth_router,
    incidents_router,
    intake_router,
    units_router,
    rosters_router,
    devices_router,
    dispatch_router,
    crowd_router,
    deployment_router,
    video_router,
    visits_call_router,
    services_router,
    identity_router,
    certificates_router,
    unlock_router,
    fraud_router,
    fraud_warnings_router,
    fraud_stats_router,
    visits_registry_router,
    kinship_match_router,
    visits_booking_router,
    kinship_records_router,
    kinship_photos_router,
    geo_router,
    live_router,
    trust_router,
    audit_router,
    catalogue_router,
)


# WebSocket endpoints: authenticated by their own tokens, outside the HTTP permission matrix
SOCKET_ROUTERS = (visits_socket_router,)


def api_router() -> APIRouter:
    api = APIRouter(prefix=API_PREFIX)
    for router in DOMAIN_ROUTERS + SOCKET_ROUTERS:
        api.include_router(router)
    return api
