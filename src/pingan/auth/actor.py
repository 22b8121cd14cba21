"""Who is acting: passed explicitly to every service call that writes."""

from __future__ import annotations

from dataclasses import dataclass

from pingan.auth.roles import Role


@dataclass(frozen=True, slots=True)
class Actor:
    user_id: int | None
    username: str
    role: Role | None
    ip: str | None = None

    @classmethod
    def system(cls, name: str = "system") -> Actor:
        """The platform itself (CLI maintenance, simulators, automatic rules)."""
        return cls(user_id=None, username=name, role=None, ip=None)

    @property
    def is_system(self) -> bool:
        """The platform itself: no account and no role (permission checks let it through)."""
        return self.user_id is None and self.role is None
