"""Import every domain's tables so metadata is complete (Alembic, tests, create_all)."""

from pingan.audit import models as audit_models
from pingan.auth import models as auth_models
from pingan.bus import models as bus_models
from pingan.crowd import models as crowd_models
from pingan.db import case_numbers, idempotency
from pingan.db.base import Base
from pingan.deployment import models as deployment_models
from pingan.devices import models as device_models
from pingan.fraud import models as fraud_models
from pingan.incidents import models as incident_models
from pingan.kinship import models as kinship_models
from pingan.rosters import models as roster_models
from pingan.services import models as service_models
from pingan.trust.certificates import models as certificate_models
from pingan.trust.identity import models as identity_models
from pingan.trust.signing import models as signing_models
from pingan.trust.unlock import models as unlock_models
from pingan.units import models as unit_models
from pingan.video import models as video_models
from pingan.visits import models as visit_models

__all__ = [
    "Base",
    "audit_models",
    "auth_models",
    "bus_models",
    "case_numbers",
    "certificate_models",
    "crowd_models",
    "deployment_models",
    "device_models",
    "fraud_models",
    "idempotency",
    "identity_models",
    "incident_models",
    "kinship_models",
    "roster_models",
    "service_models",
    "signing_models",
    "unit_models",
    "unlock_models",
    "video_models",
    "visit_models",
]
