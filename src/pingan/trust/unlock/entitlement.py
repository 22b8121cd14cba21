"""The bureau's entitlement tables (户籍, 居住登记, 房产, 租赁备案, 机动车登记) as one table with a
kind column, imported from CSV all or nothing, and the check a request is put to."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from pingan.audit import service as audit
from pingan.auth.actor import Actor
from pingan.auth.service import require
from pingan.db.tx import finish
from pingan.errors import ValidationFailed
from pingan.i18n import msg
from pingan.pii.vault import Vault
from pingan.trust.identity.register import Problem, RegisterFileError
from pingan.trust.identity.subject import parse_subject
from pingan.trust.unlock.models import Entitlement

KINDS = ("household", "residence", "property", "lease", "vehicle")
COLUMNS = ("kind", "id_number", "target", "reference", "valid_until")
_ADDRESS = re.compile(r"^\d{6,20}$")  # 标准地址库 code
_PLATE = re.compile(r"^[\u4e00-\u9fff][A-Z][A-Z0-9]{5,6}$")  # e.g. 蒙K12345, new-energy 7


class EntitlementFileError(RegisterFileError):
    code = "bad_entitlement_file"

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(problems)
        self.code = "bad_entitlement_file"


def normalise_target(kind_or_lock: str, raw: str) -> str | None:
    """An address code, or a plate (vehicles) in upper case without spaces; None if neither."""
    value = re.sub(r"\s+", "", raw or "").upper()
    pattern = _PLATE if kind_or_lock == "vehicle" else _ADDRESS
    return value if pattern.fullmatch(value) else None


@dataclass(frozen=True, slots=True)
class Row:
    kind: str
    subject_key: str
    target: str
    reference: str | None
    valid_until: datetime | None


def _row(vault: Vault, raw: dict[str, str | None], today: date) -> Row:
    kind = (raw.get("kind") or "").strip()
    if kind not in KINDS:
        raise ValidationFailed(
            msg("trust.unlock.csv.bad_kind", kinds=", ".join(KINDS)), code="bad_kind"
        )
    subject = parse_subject(vault, raw.get("id_number"), today=today)
    target = normalise_target(kind, raw.get("target") or "")
    if target is None:
        raise ValidationFailed(msg("trust.unlock.csv.bad_target"), code="bad_target")
    until = (raw.get("valid_until") or "").strip()
    try:
        valid_until = (
            datetime.combine(date.fromisoformat(until), time.max, tzinfo=UTC) if until else None
        )
    except ValueError as exc:
        raise ValidationFailed(msg("trust.unlock.csv.bad_date"), code="bad_date") from exc
    reference = (raw.get("reference") or "").strip()[:60] or None
    return Row(kind, subject.key, target, reference, valid_until)


def read_csv(vault: Vault, data: str, *, today: date) -> list[Row]:
    reader = csv.DictReader(io.StringIO(data.removeprefix("\ufeff")))
    try:
        return _read(vault, reader, today)
    except csv.Error as exc:  # e.g. a NUL byte: the file is not CSV at all
        detail = msg("trust.unlock.csv.bad_header", columns=",".join(COLUMNS))
        raise EntitlementFileError([Problem(reader.line_num or 1, "bad_csv", detail)]) from exc


def _read(vault: Vault, reader: csv.DictReader[str], today: date) -> list[Row]:
    header = [h.strip() for h in reader.fieldnames or []]
    if any(c not in header for c in COLUMNS[:3]):
        detail = msg("trust.unlock.csv.bad_header", columns=",".join(COLUMNS))
        raise EntitlementFileError([Problem(1, "bad_header", detail)])
    reader.fieldnames = header
    rows, problems = [], []
    for raw in reader:
        try:
            rows.append(_row(vault, raw, today))
        except ValidationFailed as exc:
            problems.append(Problem(reader.line_num, exc.code, exc.message))  # type: ignore[arg-type]
    if problems:
        raise EntitlementFileError(problems)
    return rows


def import_csv(session: Session, actor: Actor, vault: Vault, data: str, *, now: datetime) -> int:
    """Replace the table with the file's rows (the file is the bureau's whole, newer extract)."""
    require(actor, "trust.unlock_register")
    rows = read_csv(vault, data, today=now.date())
    session.execute(delete(Entitlement))
    session.add_all(
        Entitlement(
            kind=r.kind,
            subject_key=r.subject_key,
            target=r.target,
            reference=r.reference,
            valid_until=r.valid_until,
            imported_at=now,
        )
        for r in rows
    )
    counts = {k: sum(r.kind == k for r in rows) for k in KINDS}
    audit.record(session, actor, "unlock.entitlements_import", "unlock_entitlements", None, counts)
    finish(session)
    return len(rows)


def entitlements(
    session: Session, subject_key: str, target: str, kinds: tuple[str, ...], *, at: datetime
) -> list[Entitlement]:
    """The person's rows of the given kinds at this address or plate, valid now."""
    return list(
        session.scalars(
            select(Entitlement)
            .where(
                Entitlement.subject_key == subject_key,
                Entitlement.target == target,
                Entitlement.kind.in_(kinds),
                or_(Entitlement.valid_until.is_(None), Entitlement.valid_until >= at),
            )
            .order_by(Entitlement.id)
        )
    )
