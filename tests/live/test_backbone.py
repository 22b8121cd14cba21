"""The relay feeds the live hub with committed events, in outbox order, after confirmation."""

from __future__ import annotations

from pingan.auth.actor import Actor
from pingan.bus.registry import Registry
from pingan.bus.worker import Backbone
from pingan.incidents import service as incidents
from pingan.incidents.catalogue import Source
from pingan.live.hub import Cursor, LiveHub
from tests.helpers import FOUNTAIN


def test_committed_incident_events_reach_the_hub(db, settings, vault):
    hub = LiveHub().attach()
    backbone = Backbone(settings, db, subscriptions=Registry(), observers=[hub.publish])
    with db.session() as session:
        created = incidents.create_incident(
            session,
            Actor.system("test"),
            vault,
            incidents.NewIncident("theft", "步行街游客手机被盗", *FOUNTAIN, Source.CALL_110),
        )
        incidents.cancel(session, Actor.system("test"), created.id, reason="报警人撤销")
    assert backbone.relay is not None
    backbone.relay.drain()
    backbone.stop()
    seen = hub.after(Cursor(hub.epoch, 0)) or []
    assert [e.type for e in seen] == ["incident.received", "incident.cancelled"]
    assert all(e.data["incident_id"] == created.id for e in seen)
