"""The bureau's criminal-record table (犯罪记录): imported from CSV, and the check itself.

CSV (UTF-8, a BOM is accepted), one court judgement a row, header::

    id_number,court,judgement_date,effective,juvenile_sealed,offence_code

The file is the bureau's full extract and replaces the table. All or nothing: every bad line
is reported with its line number and reason and nothing is stored (as the population
register import). What counts (公安机关办理犯罪记录查询工作规定): only a judgement in force
(`effective` = 1); a sealed juvenile record (`juvenile_sealed` = 1) gives a clean certificate.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from pingan.audit import service as audit
from pingan.auth.actor import Actor
from pingan.auth.service import require
from pingan.db.tx import finish
from pingan.errors import ValidationFailed
from pingan.i18n import msg
from pingan.pii.vault import Vault
from pingan.trust.certificates.models import CriminalRecord
from pingan.trust.identity.register import MAX_SHOWN, Problem
from pingan.trust.identity.subject import parse_subject

COLUMNS = ("id_number", "court", "judgement_date", "effective", "juvenile_sealed", "offence_code")
PERMISSION = "trust.cert_records"
_FLAGS = {"1": True, "true": True, "yes": True, "0": False, "false": False, "no": False}
_OFFENCE = re.compile(r"^[0-9A-Za-z.\-]{1,20}$")

CLEAN, RECORD_FOUND = "no_record", "record_found"


@dataclass(frozen=True, slots=True)
class Row:
    line: int
    subject_key: str
    court: str
    judgement_date: date
    effective: bool
    juvenile_sealed: bool
    offence_code: str


class RecordFileError(ValidationFailed):
    """The file was refused; `problems` lists each bad line (nothing was stored)."""

    def __init__(self, problems: list[Problem]) -> None:
        shown = "; ".join(
            str(msg("trust.identity.csv.at_line", line=p.line, code=p.code, detail=p.detail))
            for p in problems[:MAX_SHOWN]
        )
        super().__init__(
            msg("trust.cert.csv.refused", n=len(problems), problems=shown),
            code="bad_record_file",
        )
        self.problems = problems


def _flag(raw: dict[str, str | None], column: str) -> bool:
    value = (raw.get(column) or "").strip().lower()
    if value not in _FLAGS:
        raise ValidationFailed(msg("trust.cert.csv.bad_flag", column=column), code="bad_flag")
    return _FLAGS[value]


def _row(vault: Vault, line: int, raw: dict[str, str | None], today: date) -> Row:
    subject = parse_subject(vault, raw.get("id_number"), today=today)
    court = (raw.get("court") or "").strip()
    if not 1 <= len(court) <= 100:
        raise ValidationFailed(msg("trust.cert.csv.bad_court"), code="bad_court")
    try:
        judged = date.fromisoformat((raw.get("judgement_date") or "").strip())
    except ValueError:
        raise ValidationFailed(msg("trust.cert.csv.bad_date"), code="bad_date") from None
    if judged > today:
        raise ValidationFailed(msg("trust.cert.csv.bad_date"), code="bad_date")
    offence = (raw.get("offence_code") or "").strip()
    if not _OFFENCE.match(offence):
        raise ValidationFailed(msg("trust.cert.csv.bad_offence"), code="bad_offence")
    return Row(
        line,
        subject.key,
        court,
        judged,
        _flag(raw, "effective"),
        _flag(raw, "juvenile_sealed"),
        offence,
    )


def read_csv(vault: Vault, data: str, *, today: date) -> list[Row]:
    """Every row checked; RecordFileError with every bad line if any is bad."""
    reader = csv.DictReader(io.StringIO(data.removeprefix("\ufeff")))
    header = [h.strip() for h in reader.fieldnames or []]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        detail = msg(
            "trust.cert.csv.bad_header", missing=", ".join(missing), columns=",".join(COLUMNS)
        )
        raise RecordFileError([Problem(1, "bad_header", detail)])
    reader.fieldnames = header
    rows: list[Row] = []
    problems: list[Problem] = []
    for raw in reader:
        try:
            rows.append(_row(vault, reader.line_num, raw, today))
        except ValidationFailed as exc:
            problems.append(Problem(reader.line_num, exc.code, exc.message))  # type: ignore[arg-type]
    if problems:
        raise RecordFileError(problems)
    return rows


def import_rows(session: Session, actor: Actor, rows: list[Row], *, now: datetime) -> int:
    """Replace the table with the checked rows in one transaction; audited with counts."""
    require(actor, PERMISSION)
    session.execute(delete(CriminalRecord))
    for r in rows:
        session.add(
            CriminalRecord(
                subject_key=r.subject_key,
                court=r.court,
                judgement_date=r.judgement_date,
                effective=r.effective,
                juvenile_sealed=r.juvenile_sealed,
                offence_code=r.offence_code,
                imported_by=actor.username,
                imported_at=now,
            )
        )
    session.flush()
    audit.record(
        session, actor, "cert.records_import", "cert_criminal_records", None, {"rows": len(rows)}
    )
    finish(session)
    return len(rows)


def import_csv(session: Session, actor: Actor, vault: Vault, data: str, *, now: datetime) -> int:
    """Check the whole file, then store it: a bad file stores nothing."""
    require(actor, PERMISSION)
    return import_rows(session, actor, read_csv(vault, data, today=now.date()), now=now)


def check(session: Session, subject_key: str) -> str:
    """The automatic check: `record_found` when an effective, unsealed conviction is held;
    otherwise `no_record` (coercive measures and sealed juvenile records are not records)."""
    held = session.scalar(
        select(CriminalRecord.id)
        .where(
            CriminalRecord.subject_key == subject_key,
            CriminalRecord.effective.is_(True),
            CriminalRecord.juvenile_sealed.is_(False),
        )
        .limit(1)
    )
    return RECORD_FOUND if held is not None else CLEAN
