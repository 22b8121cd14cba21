"""The bureau's population register: read from CSV, checked line by line, stored sealed.

CSV (UTF-8, a BOM is accepted), one person a row, header::

    id_number,name,birth_date,address_code,status,phone

`id_number` (GB 11643, check character and birth date checked), `name` and `address_code`
(the household's 6–12 digit address code) are required; `birth_date` (YYYY-MM-DD) may be
empty and must agree with the ID number when given; `status` is normal, deceased or
cancelled (empty: normal); `phone` is the number one-time codes go to (may be empty).

Policy: all or nothing per file. Any bad line (or the same ID number on two lines) stops the
import; every problem is reported with its line number and reason, and nothing is stored. A
person already in the store is replaced by the file's row (the file is the newer extract), so
a status change such as deceased is an import of that row.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from pingan.audit import service as audit
from pingan.auth.actor import Actor
from pingan.auth.service import require
from pingan.db.tx import finish
from pingan.errors import ValidationFailed
from pingan.i18n import Msg, msg
from pingan.pii.id_number import mask_id_number
from pingan.pii.name import mask_name
from pingan.pii.phone import InvalidPhone, mask_phone, normalise_phone
from pingan.pii.vault import Vault
from pingan.trust.identity.models import RegisterPerson
from pingan.trust.identity.subject import parse_subject

COLUMNS = ("id_number", "name", "birth_date", "address_code", "status", "phone")
REQUIRED = ("id_number", "name", "address_code")
STATUSES = ("normal", "deceased", "cancelled")
_ADDRESS = re.compile(r"^\d{6,12}$")
MAX_NAME = 50
MAX_SHOWN = 20  # problems named in the refusal's text; the count says how many in all


@dataclass(frozen=True, slots=True)
class Row:
    line: int
    id_number: str
    name: str
    birth_date: date
    address_code: str
    status: str
    phone: str | None


@dataclass(frozen=True, slots=True)
class Problem:
    line: int
    code: str
    detail: Msg


@dataclass(frozen=True, slots=True)
class Imported:
    added: int
    updated: int


class RegisterFileError(ValidationFailed):
    """The file was refused; `problems` lists each bad line (nothing was stored). The detail
    names the first few lines and reasons, so an API caller sees them too."""

    def __init__(self, problems: list[Problem]) -> None:
        shown = "; ".join(
            str(msg("trust.identity.csv.at_line", line=p.line, code=p.code, detail=p.detail))
            for p in problems[:MAX_SHOWN]
        )
        more = len(problems) - MAX_SHOWN
        if more > 0:
            detail = msg(
                "trust.identity.csv.refused_more", n=len(problems), problems=shown, more=more
            )
        else:
            detail = msg("trust.identity.csv.refused", n=len(problems), problems=shown)
        super().__init__(detail, code="bad_register_file")
        self.problems = problems


def _row(vault: Vault, line: int, raw: dict[str, str | None], today: date) -> Row:
    """One CSV row checked; ValidationFailed carries the reason code."""
    for key in REQUIRED:
        if not (raw.get(key) or "").strip():
            raise ValidationFailed(msg("trust.identity.csv.missing", column=key), code="missing")
    subject = parse_subject(vault, raw["id_number"], today=today)
    born = date(
        int(subject.id_number[6:10]), int(subject.id_number[10:12]), int(subject.id_number[12:14])
    )
    given = (raw.get("birth_date") or "").strip()
    if given:
        try:
            stated = date.fromisoformat(given)
        except ValueError:
            raise ValidationFailed(
                msg("trust.identity.csv.bad_birth_date", value=given), code="bad_birth_date"
            ) from None
        if stated != born:
            raise ValidationFailed(
                msg("trust.identity.csv.birth_date_mismatch"), code="birth_date_mismatch"
            )
    name = (raw.get("name") or "").strip()
    if len(name) > MAX_NAME:
        raise ValidationFailed(msg("trust.identity.csv.name_too_long"), code="bad_name")
    address = (raw.get("address_code") or "").strip()
    if not _ADDRESS.match(address):
        raise ValidationFailed(msg("trust.identity.csv.bad_address_code"), code="bad_address_code")
    status = (raw.get("status") or "").strip().lower() or "normal"
    if status not in STATUSES:
        raise ValidationFailed(
            msg("trust.identity.csv.bad_status", value=status, choices=", ".join(STATUSES)),
            code="bad_status",
        )
    phone = (raw.get("phone") or "").strip() or None
    if phone:
        try:
            phone = normalise_phone(phone)
        except InvalidPhone as exc:
            raise ValidationFailed(str(exc), code="bad_phone") from exc
    return Row(line, subject.id_number, name, born, address, status, phone)


def read_csv(vault: Vault, data: str, *, today: date) -> list[Row]:
    """Every row checked; raise RegisterFileError with every bad line if any is bad."""
    reader = csv.DictReader(io.StringIO(data.removeprefix("\ufeff")))
    header = [h.strip() for h in reader.fieldnames or []]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        problem = Problem(
            1,
            "bad_header",
            msg(
                "trust.identity.csv.bad_header",
                missing=", ".join(missing),
                columns=",".join(COLUMNS),
            ),
        )
        raise RegisterFileError([problem])
    reader.fieldnames = header
    rows: list[Row] = []
    problems: list[Problem] = []
    first_line: dict[str, int] = {}
    for raw in reader:
        line = reader.line_num
        try:
            row = _row(vault, line, raw, today)
        except ValidationFailed as exc:
            problems.append(Problem(line, exc.code, exc.message))  # type: ignore[arg-type]
            continue
        if row.id_number in first_line:
            problems.append(
                Problem(
                    line,
                    "duplicate",
                    msg("trust.identity.csv.duplicate", first=first_line[row.id_number]),
                )
            )
            continue
        first_line[row.id_number] = line
        rows.append(row)
    if problems:
        raise RegisterFileError(problems)
    if not rows:
        problem = Problem(1, "empty", msg("trust.identity.csv.empty"))
        raise RegisterFileError([problem])
    return rows


def import_rows(
    session: Session, actor: Actor, vault: Vault, rows: list[Row], *, now: datetime
) -> Imported:
    """Store the checked rows in one transaction (new people added, known people replaced);
    one audit record for the file, with counts only."""
    require(actor, "trust.identity_register")
    keys = {vault.index(f"id:{r.id_number}"): r for r in rows}
    existing = {
        p.id_key: p
        for chunk in _chunks(list(keys), 500)
        for p in session.scalars(select(RegisterPerson).where(RegisterPerson.id_key.in_(chunk)))
    }
    added = updated = 0
    for key, row in keys.items():
        person = existing.get(key)
        if person is None:
            person = RegisterPerson(id_key=key, id_enc=vault.encrypt(row.id_number))
            session.add(person)
            added += 1
        else:
            updated += 1
        person.id_masked = mask_id_number(row.id_number)
        person.name_enc = vault.encrypt(row.name)
        person.name_masked = mask_name(row.name)
        person.birth_date = row.birth_date
        person.address_code = row.address_code
        person.status = row.status
        person.phone_enc = vault.encrypt(row.phone) if row.phone else None
        person.phone_masked = mask_phone(row.phone) if row.phone else None
        person.updated_by = actor.username
        person.updated_at = now
    session.flush()
    audit.record(
        session,
        actor,
        "identity.register_import",
        "identity_register",
        None,
        {"rows": len(rows), "added": added, "updated": updated},
    )
    finish(session)
    return Imported(added, updated)


def import_csv(
    session: Session, actor: Actor, vault: Vault, data: str, *, now: datetime
) -> Imported:
    """Check the whole file, then store it: a bad file stores nothing."""
    require(actor, "trust.identity_register")
    return import_rows(session, actor, vault, read_csv(vault, data, today=now.date()), now=now)


def find(session: Session, key: str) -> RegisterPerson | None:
    return session.scalar(select(RegisterPerson).where(RegisterPerson.id_key == key))


def _chunks(items: list[str], size: int) -> list[list[str]]:
    return [items[i : i + size] for i in range(0, len(items), size)]
