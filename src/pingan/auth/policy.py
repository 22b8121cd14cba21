"""Permission rules loaded from policy.yaml: the single source for who may do what."""

from __future__ import annotations

from functools import cache
from importlib import resources

import yaml

from pingan.auth.roles import Role

# Rights checked inside services that ride on a route permission, so policy.yaml stays the one
# place that says which roles hold them.
TRIAGE = "incident.progress"  # give a new report its priority and (late entry) received_at
ANY_UNIT = "incident.dispatch"  # act for any unit; others only for the units bound to them
ARRIVAL_OVERRIDE = "incident.dispatch"  # accept an arrival the unit's last fix does not confirm


@cache
def load_policy() -> dict[str, frozenset[Role]]:
    """Permission name -> roles allowed; unknown role names in the file fail loudly."""
    text = resources.files("pingan.auth").joinpath("policy.yaml").read_text(encoding="utf-8")
    raw = yaml.safe_load(text)
    return {perm: frozenset(Role(r) for r in roles) for perm, roles in raw.items()}


def allowed_roles(permission: str) -> frozenset[Role]:
    policy = load_policy()
    if permission not in policy:
        raise KeyError(f"permission {permission!r} is not declared in policy.yaml")
    return policy[permission]


def role_may(role: Role, permission: str) -> bool:
    return role in allowed_roles(permission)
