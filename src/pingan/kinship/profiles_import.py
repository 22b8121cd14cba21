"""DNA profiles imported from a laboratory's CSV file, all or nothing.

Two layouts are read (UTF-8, a BOM accepted):

* GeneMapper's long table, one marker of one sample a line:
  `Sample Name,Marker,Allele 1,Allele 2[,Allele 3…]` (other columns, such as Panel or
  Size 1, are ignored);
* a wide table, one sample a line: `sample_id,<locus>,<locus>…` with "12/14" or "12,14"
  (one label for a homozygote, an empty cell for a locus not typed).

Locus names are normalised (loci.py); Y-STR loci go to the haplotype, the `mtDNA` column (or
marker) holds the variants of the control region (`16223T 16362C`, range `16024-16365` unless
an `mtDNA range` column names another) and AMEL is checked against the donor's recorded sex.
A sample is imported only for a registered donor whose consent stands and who has no profile
yet. The whole file is checked first: every fault is reported with its line and reason code,
and nothing is stored unless none is found.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from pingan.audit import service as audit
from pingan.auth.actor import Actor
from pingan.auth.service import require
from pingan.db.tx import finish
from pingan.errors import DomainError, ValidationFailed
from pingan.i18n import Msg, msg
from pingan.kinship import loci
from pingan.kinship.cases import who
from pingan.kinship.donors import standing_consents
from pingan.kinship.models import KinshipPerson, KinshipProfile
from pingan.kinship.sealed import seal
from pingan.pii.vault import Vault

MAX_SHOWN = 20  # in the message
MAX_ERRORS = 500  # in an answer's list (the message counts them all)
HV1 = "16024-16365"  # the control region's first hypervariable segment
_MT_VARIANT = re.compile(r"^(\d{1,5})(\.\d{1,2})?([ACGTRYKMSWBDHVN]|DEL|-)$")
_MT_RANGE = re.compile(r"^\d{1,5}-\d{1,5}$")
_MT_RANGE_KEYS = frozenset({"MTDNARANGE", "MTRANGE"})
_LONG_SAMPLE, _LONG_MARKER = "SAMPLENAME", "MARKER"
_WIDE_SAMPLE = frozenset({"SAMPLEID", "SAMPLENAME", "SAMPLE"})
MT_RANGE = "mtDNA range"


@dataclass(frozen=True, slots=True)
class Problem:
    line: int
    code: str
    message: Msg | str


@dataclass
class _Sample:
    """One sample's cells as read: locus -> (line, labels)."""

    sample_id: str
    line: int
    cells: dict[str, tuple[int, list[str]]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ProfileSpec:
    person_id: int
    sample_id: str
    kit: str
    genotypes: dict[str, list[str]]
    ystr: dict[str, str] | None
    mtdna: dict[str, Any] | None


@dataclass(frozen=True, slots=True)
class CheckedFile:
    profiles: list[ProfileSpec]
    sha256: str


@dataclass(frozen=True, slots=True)
class Imported:
    added: int
    sample_ids: list[str]
    updated: int = 0


def at_line(p: Problem) -> Msg:
    return msg("kinship.records.file.at_line", line=p.line, code=p.code, detail=p.message)


class ProfileFileError(ValidationFailed):
    """The file was refused; `problems` names each fault by line (nothing was stored)."""

    def __init__(self, problems: list[Problem]) -> None:
        problems = sorted(problems, key=lambda p: p.line)
        shown = "; ".join(str(at_line(p)) for p in problems[:MAX_SHOWN])
        errors = [
            {"line": p.line, "code": p.code, "message": p.message} for p in problems[:MAX_ERRORS]
        ]
        super().__init__(
            msg("kinship.records.file.refused", n=len(problems), problems=shown),
            code="bad_profile_file",
            errors=errors,
        )
        self.problems = problems


def _key(name: str) -> str:
    return re.sub(r"[\s_\-.]", "", name or "").upper()


def _locus(name: str) -> str:
    return MT_RANGE if _key(name) in _MT_RANGE_KEYS else loci.normalise_locus(name)


class _Reader:
    """Collects samples from either layout, noting problems by line."""

    def __init__(self) -> None:
        self.samples: dict[str, _Sample] = {}
        self.problems: list[Problem] = []

    def fault(self, line: int, exc: DomainError) -> None:
        self.problems.append(Problem(line, exc.code, exc.message))

    def fail(self, line: int, code: str, /, **params: Any) -> None:
        self.problems.append(Problem(line, code, msg(f"kinship.records.file.{code}", **params)))

    def long(self, rows: list[tuple[int, list[str]]], header: list[str]) -> None:
        keys = [_key(h) for h in header]
        sample_at, marker_at = keys.index(_LONG_SAMPLE), keys.index(_LONG_MARKER)
        allele_at = [i for i, k in enumerate(keys) if re.fullmatch(r"ALLELE\d+", k)]
        last = None
        for line, row in rows:
            cells = row + [""] * (len(header) - len(row))
            sample_id = cells[sample_at].strip()
            if not sample_id:
                self.fail(line, "missing_sample")
                continue
            try:
                locus = _locus(cells[marker_at])
            except DomainError as exc:
                self.fault(line, exc)
                continue
            sample = self.samples.get(sample_id)
            if sample is None:
                sample = self.samples[sample_id] = _Sample(sample_id, line)
            elif last != sample_id and last is not None:
                self.fail(line, "duplicate_sample", sample_id=sample_id, first=sample.line)
            last = sample_id
            if locus in sample.cells:
                first = sample.cells[locus][0]
                self.fail(line, "duplicate_locus", locus=locus, first=first)
                continue
            sample.cells[locus] = (line, [cells[i] for i in allele_at])

    def wide(self, rows: list[tuple[int, list[str]]], header: list[str]) -> None:
        columns: list[str | None] = [None]
        for name in header[1:]:
            if not name.strip():
                columns.append(None)
                continue
            try:
                columns.append(_locus(name))
            except DomainError as exc:
                self.fault(1, exc)
                columns.append(None)
        named = [c for c in columns if c]
        for twice in sorted({c for c in named if named.count(c) > 1}):
            self.fail(1, "duplicate_locus", locus=twice, first=1)
        for line, row in rows:
            sample_id = (row[0] if row else "").strip()
            if not sample_id:
                self.fail(line, "missing_sample")
                continue
            if sample_id in self.samples:
                first = self.samples[sample_id].line
                self.fail(line, "duplicate_sample", sample_id=sample_id, first=first)
                continue
            sample = self.samples[sample_id] = _Sample(sample_id, line)
            for column, cell in zip(columns[1:], row[1:], strict=False):
                if column is None:
                    continue
                labels = [cell] if column in (loci.MTDNA, MT_RANGE) else loci.split_cell(cell)
                sample.cells[column] = (line, labels)


def _mtdna(labels: list[str], range_labels: list[str] | None) -> dict[str, Any] | None:
    variants = []
    for part in re.split(r"[\s,;]+", " ".join(labels).strip()):
        if not part:
            continue
        match = _MT_VARIANT.match(part.upper())
        if match is None or not 1 <= int(match.group(1)) <= 16569:
            raise ValidationFailed(
                msg("kinship.records.file.bad_mtdna", variant=part[:16]), code="bad_mtdna"
            )
        base = "DEL" if match.group(3) == "-" else match.group(3)
        variants.append((int(match.group(1)), f"{match.group(1)}{match.group(2) or ''}{base}"))
    region = " ".join(range_labels or []).strip() or HV1
    if not _MT_RANGE.match(region):
        raise ValidationFailed(
            msg("kinship.records.file.bad_mtdna", variant=region[:16]), code="bad_mtdna"
        )
    if not variants and not (range_labels and region):
        return None
    return {"range": region, "variants": [v for _, v in sorted(variants)]}


@dataclass
class _Built:
    genotypes: dict[str, list[str]] = field(default_factory=dict)
    ystr: dict[str, str] = field(default_factory=dict)
    mtdna: dict[str, Any] | None = None
    sex: str | None = None


def _build(sample: _Sample, kit: str, fault: Callable[[int, DomainError], None]) -> _Built:
    out = _Built()
    ranges = sample.cells.get(MT_RANGE, (sample.line, []))[1]
    for locus, (line, labels) in sample.cells.items():
        try:
            if locus == MT_RANGE:
                continue
            if locus == loci.MTDNA:
                out.mtdna = _mtdna(labels, ranges)
            elif locus == loci.AMEL:
                out.sex = loci.amel_sex(locus, labels)
            elif loci.is_ystr(locus):
                value = loci.haplotype_allele(locus, labels)
                if value is not None:
                    out.ystr[locus] = value
            else:
                if kit != "auto" and locus not in loci.KITS[kit]:
                    raise ValidationFailed(
                        msg("kinship.records.file.locus_not_in_kit", locus=locus, kit=kit),
                        code="locus_not_in_kit",
                    )
                pair = loci.genotype(locus, labels)
                if pair is not None:
                    out.genotypes[locus] = list(pair)
        except DomainError as exc:
            fault(line, exc)
    if MT_RANGE in sample.cells and loci.MTDNA not in sample.cells:
        try:
            out.mtdna = _mtdna([], ranges)
        except DomainError as exc:
            fault(sample.line, exc)
    return out


def _rows(data: str) -> list[tuple[int, list[str]]]:
    """Non-blank CSV records with the line each starts on (1-based)."""
    reader = csv.reader(io.StringIO(data))
    out = []
    start = 1
    for row in reader:
        if any(cell.strip() for cell in row):
            out.append((start, row))
        start = reader.line_num + 1
    return out


def read_profiles(session: Session, data: str, *, kit: str = "auto") -> CheckedFile:
    """Check the whole file; ProfileFileError lists every fault by line."""
    if kit not in loci.KIT_CHOICES:
        raise ValidationFailed(
            msg("kinship.records.file.bad_kit", kit=kit[:20], choices=", ".join(loci.KIT_CHOICES)),
            code="bad_kit",
        )
    text = data.removeprefix("\ufeff")
    try:
        rows = _rows(text)
    except csv.Error as exc:
        raise ProfileFileError([Problem(1, "not_csv", str(exc)[:100])]) from None
    if len(rows) < 2:
        raise ProfileFileError([Problem(1, "empty_file", msg("kinship.records.file.empty"))])
    (header_line, header), body = rows[0], rows[1:]
    header = [h.strip() for h in header]
    keys = [_key(h) for h in header]
    reader = _Reader()
    if _LONG_SAMPLE in keys and _LONG_MARKER in keys:
        reader.long(body, header)
    elif keys and keys[0] in _WIDE_SAMPLE:
        reader.wide(body, header)
    else:
        detail = msg("kinship.records.file.bad_header")
        raise ProfileFileError([Problem(header_line, "bad_header", detail)])
    profiles = _check_samples(session, reader, kit)
    if reader.problems:
        raise ProfileFileError(reader.problems)
    sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return CheckedFile(profiles, sha)


def _check_samples(session: Session, reader: _Reader, kit: str) -> list[ProfileSpec]:
    ids = list(reader.samples)
    persons = {
        p.sample_id: p
        for p in session.scalars(select(KinshipPerson).where(KinshipPerson.sample_id.in_(ids)))
    }
    person_ids = [p.id for p in persons.values()]
    consents = standing_consents(session, person_ids)
    profiled = set(
        session.scalars(
            select(KinshipProfile.person_id).where(KinshipProfile.person_id.in_(person_ids))
        )
    )
    out = []
    for sample in reader.samples.values():
        line, sid = sample.line, sample.sample_id
        person = persons.get(sid)
        built = _build(sample, kit, reader.fault)
        if person is None:
            reader.fail(line, "unknown_sample", sample_id=sid[:30])
            continue
        if person.id not in consents:
            reader.fail(line, "no_consent", sample_id=sid)
        if person.id in profiled:
            reader.fail(line, "profile_exists", sample_id=sid)
        if built.sex and person.sex in ("M", "F") and built.sex != person.sex:
            reader.fail(line, "sex_mismatch", sample_id=sid, amel=built.sex, sex=person.sex)
        if not built.genotypes:
            reader.fail(line, "no_loci", sample_id=sid)
            continue
        typed = set(built.genotypes)
        out.append(
            ProfileSpec(
                person_id=person.id,
                sample_id=sid,
                kit=loci.infer_kit(typed) if kit == "auto" else kit,
                genotypes=dict(sorted(built.genotypes.items())),
                ystr=dict(sorted(built.ystr.items())) or None,
                mtdna=built.mtdna,
            )
        )
    return out


def import_profiles(
    session: Session, actor: Actor, vault: Vault, checked: CheckedFile, *, now: datetime
) -> Imported:
    """Store a checked file's profiles in one transaction, sealed; one audit record names
    the file (its SHA-256) and the sample ids, never a genotype."""
    require(actor, "kinship.profile")
    for spec in checked.profiles:
        session.add(
            KinshipProfile(
                person_id=spec.person_id,
                kit=spec.kit,
                loci=len(spec.genotypes),
                genotypes_enc=seal(vault, spec.genotypes),
                ystr_enc=seal(vault, spec.ystr) if spec.ystr else None,
                mtdna_enc=seal(vault, spec.mtdna) if spec.mtdna else None,
                imported_by=who(actor),
                imported_at=now,
                source_sha256=checked.sha256,
            )
        )
    session.flush()
    sample_ids = [p.sample_id for p in checked.profiles]
    audit.record(
        session,
        actor,
        "kinship.profiles_imported",
        "kinship_profile",
        None,
        {"sha256": checked.sha256, "n": len(sample_ids), "sample_ids": sample_ids},
    )
    finish(session)
    return Imported(len(sample_ids), sample_ids)
