"""The operator's feed of calls and messages from known fraud numbers to people (CSV or JSON),
stored all or nothing, then graded into early warnings.

Row fields: `number` (the fraud number), `person_phone` (whom it reached), `kind` (call, sms,
app), `duration_s` (seconds; empty: 0), `at` (ISO 8601 with an offset). A contact from a number
the platform does not know is not stored (the feed is about known fraud numbers; a stranger's
call to a person is not ours to keep) and is counted as `unknown_numbers`; a contact already
stored (same number, person, kind and time) is counted as a duplicate, so a feed may be sent
again safely.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from pingan.audit import service as audit
from pingan.auth.actor import Actor
from pingan.auth.service import require
from pingan.db.tx import finish
from pingan.errors import ValidationFailed
from pingan.fraud.models import FraudContact
from pingan.fraud.warnings import files, grading, numbers, service
from pingan.i18n import msg
from pingan.pii.vault import Vault
from pingan.services import common

COLUMNS = ("number", "person_phone", "kind", "duration_s", "at")
MAX_DURATION_S = 86_400


@dataclass(frozen=True, slots=True)
class Row:
    number: str
    person: service.Person
    kind: str
    duration_s: int
    at: datetime


def _duration(raw: dict[str, Any]) -> int:
    value = raw.get("duration_s")
    if value is None or value == "":
        return 0
    if isinstance(value, bool) or not (isinstance(value, int) or str(value).strip().isdigit()):
        raise ValidationFailed(
            msg("fraud.warn.bad_duration", high=MAX_DURATION_S), code="bad_duration"
        )
    n = int(str(value).strip())
    if not 0 <= n <= MAX_DURATION_S:
        raise ValidationFailed(
            msg("fraud.warn.bad_duration", high=MAX_DURATION_S), code="bad_duration"
        )
    return n


def _at(raw: dict[str, Any], now: datetime) -> datetime:
    value = files.text(raw, "at")
    try:
        at = datetime.fromisoformat(value)
    except ValueError as exc:
        raise ValidationFailed(msg("fraud.warn.bad_time"), code="bad_time") from exc
    if at.tzinfo is None:
        raise ValidationFailed(msg("fraud.warn.bad_time"), code="bad_time")
    if at > now:
        raise ValidationFailed(msg("fraud.warn.time_in_future"), code="time_in_future")
    return at


def _parser(vault: Vault, now: datetime):  # type: ignore[no-untyped-def]
    def parse(raw: dict[str, Any]) -> Row:
        if not isinstance(raw, dict):
            raise ValidationFailed(msg("fraud.warn.bad_item"), code="bad_item")
        number = numbers.normalise_number(files.text(raw, "number"))
        sealed = common.phone(vault, files.text(raw, "person_phone"), required=True)
        assert sealed is not None
        kind = files.text(raw, "kind")
        if kind not in grading.KINDS:
            raise ValidationFailed(
                msg("fraud.warn.bad_kind", kinds=", ".join(grading.KINDS)), code="bad_kind"
            )
        person = service.Person(sealed.enc, sealed.masked, sealed.key)
        return Row(number, person, kind, _duration(raw), _at(raw, now))

    return parse


@dataclass(slots=True)
class FeedImported:
    rows: int = 0
    stored: int = 0
    unknown_numbers: int = 0
    duplicates: int = 0
    created: list[str] = field(default_factory=list)  # warning numbers
    upgraded: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)


def read(vault: Vault, *, csv: str | None, items: list[Any] | None, now: datetime) -> list[Row]:
    """Every row checked; any bad row refuses the file (FileRefused names each)."""
    if (csv is None) == (items is None):
        raise ValidationFailed(msg("fraud.warn.feed_csv_or_items"), code="feed_csv_or_items")
    rows = files.csv_rows(csv, COLUMNS, 3) if csv is not None else list(enumerate(items or [], 1))
    return files.checked(rows, _parser(vault, now))


def _stored(session: Session, rows: list[Row]) -> set[tuple[str, str, str, datetime]]:
    keys = {r.person.key for r in rows}
    found = session.execute(
        select(
            FraudContact.number, FraudContact.person_phone_key, FraudContact.kind, FraudContact.at
        ).where(
            FraudContact.person_phone_key.in_(sorted(keys)),
            FraudContact.at >= min(r.at for r in rows),
            FraudContact.at <= max(r.at for r in rows),
        )
    )
    return {(n, k, kind, at) for n, k, kind, at in found}


def import_feed(
    session: Session,
    actor: Actor,
    vault: Vault,
    *,
    csv: str | None = None,
    items: list[Any] | None = None,
    now: datetime,
) -> FeedImported:
    """Store the feed's contacts from known numbers and raise each person's warning."""
    require(actor, "fraud.warn_manage")
    rows = read(vault, csv=csv, items=items, now=now)
    out = FeedImported(rows=len(rows))
    have = numbers.known(session, {r.number for r in rows})
    fresh = [r for r in rows if r.number in have]
    out.unknown_numbers = len(rows) - len(fresh)
    seen = _stored(session, fresh) if fresh else set()
    people: dict[str, service.Person] = {}
    for r in fresh:
        key = (r.number, r.person.key, r.kind, r.at)
        if key in seen:
            out.duplicates += 1
            continue
        seen.add(key)
        people.setdefault(r.person.key, r.person)
        session.add(
            FraudContact(
                number=r.number,
                person_phone_enc=r.person.enc,
                person_phone_key=r.person.key,
                person_phone_masked=r.person.masked,
                kind=r.kind,
                duration_s=r.duration_s,
                at=r.at,
                imported_at=now,
            )
        )
        out.stored += 1
    session.flush()
    changes: dict[str, list[str]] = defaultdict(list)
    for person in people.values():
        w, change = service.warn(session, actor, person, now=now)
        if w is not None and change is not None:
            changes[change].append(w.warning_no)
    out.created, out.upgraded, out.updated = (
        changes["created"],
        changes["upgraded"],
        changes["updated"],
    )
    audit.record(
        session,
        actor,
        "fraud.contacts_imported",
        "fraud_contacts",
        None,
        {
            "rows": out.rows,
            "stored": out.stored,
            "unknown_numbers": out.unknown_numbers,
            "duplicates": out.duplicates,
            "warnings_created": len(out.created),
            "warnings_raised": len(out.upgraded),
        },
    )
    finish(session)
    return out
