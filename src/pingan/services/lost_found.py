"""Lost and found (遗失招领): reports, found items, matching, claims, hand-over, disposal.

Found items are announced publicly without the details that prove ownership (identifiers,
held-back details, brand, photo); a claim must show one of them; the hand-over needs both
the holder's and the claimant's confirmation. Unclaimed items are disposed of after the
retention period in settings.yaml (one year, Civil Code art. 318), with a record.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Row, or_, select
from sqlalchemy.orm import Session

from pingan.audit import service as audit
from pingan.auth.actor import Actor
from pingan.auth.service import require
from pingan.bus import outbox
from pingan.db.base import utcnow
from pingan.db.case_numbers import next_case_number
from pingan.db.paging import page
from pingan.db.tx import finish
from pingan.errors import Conflict, Forbidden, NotFound
from pingan.geo.city import City
from pingan.geo.gazetteer import Gazetteer, Place
from pingan.i18n import msg
from pingan.pii.vault import Vault
from pingan.services import candidates, common, identifiers, settings
from pingan.services.access import is_citizen, list_cases, own_or_staff
from pingan.services.catalogue import canonical_category
from pingan.services.matcher import (
    Item,
    Match,
    categories,
    pack_tokens,
    prepare,
    rank,
    token_tag,
    unpack_tokens,
)
from pingan.services.models import HelpClaim, HelpIdentifier, HelpItem
from pingan.services.text import bigrams, coverage

OPEN = ("open", "announced")


@dataclass(frozen=True, slots=True)
class ItemSpec:
    """A lost report or found item as any adapter receives it."""

    kind: str
    category: str
    description: str
    lon: float | None
    lat: float | None
    at: datetime | None
    colour: str | None = None
    brand: str | None = None
    identifiers: dict[str, str] = field(default_factory=dict)
    hidden_details: str | None = None
    place: str | None = None
    area_code: str | None = None
    holder: str | None = None
    storage: str | None = None
    contact_phone: str | None = None
    photo_b64: str | None = None


def _category(value: str) -> str:
    """The code of the category `value` names (code, alias, Chinese or English name)."""
    code = canonical_category(value)
    if code is None:
        known = ", ".join(categories())
        raise common.bad(msg("services.bad_category", category=value, known=known), "bad_category")
    return code


def _check(spec: ItemSpec, actor: Actor) -> ItemSpec:
    """The spec refused with a reason, or returned with its category as a code."""
    if spec.kind not in ("lost", "found"):
        raise common.bad(msg("services.item_bad_kind"), "bad_kind")
    require(actor, "services.report" if spec.kind == "lost" else "services.register_found")
    category = _category(spec.category)
    if not spec.description.strip():
        raise common.bad(msg("services.item_description_required"), "empty_description")
    if spec.kind == "found" and not (spec.holder and spec.storage):
        raise common.bad(msg("services.found_needs_storage"), "no_storage")
    return replace(spec, category=category)


def needs_places(spec: ItemSpec) -> bool:
    """Whether registering the spec looks its place up in the gazetteer (a place, no point)."""
    return (spec.lon is None or spec.lat is None) and bool(spec.place and spec.place.strip())


def _located(spec: ItemSpec, places: Gazetteer | None) -> tuple[float, float, Place | None]:
    """The item's point: as given, or the gazetteer's for the place named instead of one.

    A point given is checked as before (inside the service area); a place that names nothing
    the city knows is refused with up to three names close to it.
    """
    if not needs_places(spec) or places is None:
        return (*common.where(spec.lon, spec.lat), None)
    given = (spec.place or "").strip()
    found = places.lookup(given)
    if found is None:
        near = [{"zh_CN": p.name_zh, "en": p.name_en} for p in places.close_to(given)]
        code = "services.unknown_place" if near else "services.unknown_place_no_hint"
        raise common.bad(msg(code, place=given, near=near), "unknown_place")
    return (*common.where(found.lon, found.lat), found)


# The columns the matcher reads: candidates are loaded as plain rows, not whole entities.
_MATCH_COLUMNS = (
    HelpItem.id,
    HelpItem.category,
    HelpItem.description,
    HelpItem.lon,
    HelpItem.lat,
    HelpItem.at,
    HelpItem.colour,
    HelpItem.brand,
    HelpItem.match_tokens,
)


def to_match_item(row: HelpItem | Row[Any], keys: frozenset[str]) -> Item:
    """An item (entity or a row of `_MATCH_COLUMNS`) as the matcher takes it, tokenised:
    the tokens stored at registration, or made now for a row without them."""
    tokenizer = settings.lost_found()["tokenizer"]
    stored = unpack_tokens(row.match_tokens, tokenizer)
    tokens, feats = stored or (frozenset(), frozenset())
    item = Item(
        row.id,
        row.category,
        row.description,
        row.lon,
        row.lat,
        row.at,
        row.colour,
        row.brand,
        keys,
        tokens,
        feats,
    )
    return prepare(item, tokenizer) if stored is None else item


def _keys_of(session: Session, ids: list[int]) -> dict[int, frozenset[str]]:
    out: dict[int, set[str]] = {i: set() for i in ids}
    if ids:
        rows = session.execute(
            select(HelpIdentifier.item_id, HelpIdentifier.key).where(
                HelpIdentifier.item_id.in_(ids)
            )
        )
        for item_id, key in rows:
            out[item_id].add(key)
    return {i: frozenset(k) for i, k in out.items()}


def _candidates(session: Session, row: HelpItem, q: Item) -> list[Item]:
    """Opposite side, still open: by identifier hash, or by category, time window and grid.

    Only the identifiers a candidate shares with the query are loaded with it: the matcher
    looks at nothing else of them.
    """
    other = "found" if row.kind == "lost" else "lost"
    start, end = candidates.window(row.at, row.kind)
    cells = candidates.cells_around(row.lon, row.lat)
    xs, ys = [c[0] for c in cells], [c[1] for c in cells]
    # The index range is the cells' bounding box; its corners beyond the radius are dropped
    # here, so the store and the in-memory index compare the same items.
    wanted = set(cells)
    query = select(*_MATCH_COLUMNS, HelpItem.cell_x, HelpItem.cell_y).where(
        HelpItem.kind == other,
        HelpItem.status.in_(OPEN),
        HelpItem.at.between(start, end),
        HelpItem.cell_x.between(min(xs), max(xs)),
        HelpItem.cell_y.between(min(ys), max(ys)),
    )
    keys = q.identifier_keys
    cats = candidates.categories_to_search(q)
    if cats:
        query = query.where(HelpItem.category.in_(cats))
    found = {r.id: r for r in session.execute(query) if (r.cell_x, r.cell_y) in wanted}
    shared: dict[int, set[str]] = {}
    if keys:
        by_key = (
            select(HelpIdentifier.key, *_MATCH_COLUMNS)
            .join(HelpItem, HelpIdentifier.item_id == HelpItem.id)
            .where(HelpIdentifier.key.in_(keys), HelpItem.kind == other, HelpItem.status.in_(OPEN))
        )
        for r in session.execute(by_key):
            found.setdefault(r.id, r)
            shared.setdefault(r.id, set()).add(r.key)
    found.pop(row.id, None)
    return [to_match_item(r, frozenset(shared.get(i, ()))) for i, r in found.items()]


def _rank(session: Session, row: HelpItem, top: int = 5) -> list[Match]:
    q = to_match_item(row, _keys_of(session, [row.id])[row.id])
    return rank(q, _candidates(session, row, q), top=top)


def register(
    session: Session,
    actor: Actor,
    vault: Vault,
    city: City | None,
    photo_dir: Path,
    spec: ItemSpec,
    places: Gazetteer | None = None,
) -> tuple[HelpItem, list[Match]]:
    """Store a lost report or found item and rank the other side against it.

    The category may be given by any of its names (stored as its code); without a point, a
    place from `places` (the city's gazetteer) stands in for it (see `needs_places`).
    """
    spec = _check(spec, actor)
    if is_citizen(actor) and spec.kind == "found":
        raise Forbidden(msg("services.citizen_found_item"))
    at = common.when(spec.at, msg("services.what.lost_found_time"))
    lon, lat, named = _located(spec, places)
    in_area = named.code if named is not None and named.kind == "key_area" else None
    area = common.area(city, spec.area_code) or in_area
    try:
        idents = identifiers.parse(spec.identifiers)
    except identifiers.InvalidIdentifier as exc:
        raise common.bad(str(exc), "bad_identifier") from exc
    contact = common.phone(vault, spec.contact_phone, required=spec.kind == "lost")
    photo = common.photo(photo_dir, spec.photo_b64)
    cx, cy = candidates.cell(lon, lat)
    prefix = "YS" if spec.kind == "lost" else "ZL"
    row = HelpItem(
        case_number=next_case_number(session, prefix, utcnow()),
        kind=spec.kind,
        status="open",
        category=spec.category,
        description=spec.description.strip(),
        colour=spec.colour,
        brand=spec.brand,
        hidden_details_enc=vault.encrypt(spec.hidden_details) if spec.hidden_details else None,
        identifiers_masked={i.kind: identifiers.mask(i.kind, i.value) for i in idents},
        lon=lon,
        lat=lat,
        cell_x=cx,
        cell_y=cy,
        place=spec.place,
        area_code=area,
        at=at,
        holder=spec.holder,
        storage=spec.storage,
        photo_path=photo,
        contact_phone_enc=contact.enc if contact else None,
        contact_phone_masked=contact.masked if contact else None,
        reporter_user_id=actor.user_id if is_citizen(actor) else None,
        created_by=actor.username,
    )
    tokenizer = settings.lost_found()["tokenizer"]
    row.match_tokens = pack_tokens(to_match_item(row, frozenset()), tokenizer)
    session.add(row)
    session.flush()
    for ident in idents:
        session.add(HelpIdentifier(item_id=row.id, kind=ident.kind, key=ident.key(vault)))
    session.flush()
    matches = _rank(session, row)
    where: dict[str, object] = {"location_source": "given"}
    if named is not None:
        where = {"location_source": "gazetteer", "gazetteer_place": named.code}
    threshold = settings.lost_found()["alert_threshold"]
    alerts = [m for m in matches if m.by_identifier or m.score >= threshold]
    payload = {"case_number": row.case_number, "kind": row.kind, "category": row.category}
    outbox.publish(session, f"lost_found.{row.kind}_registered", "help_item", row.id, payload)
    if alerts:
        best = {"item_id": alerts[0].item_id, "score": alerts[0].score}
        outbox.publish(session, "lost_found.matched", "help_item", row.id, {**payload, **best})
    audit.record(
        session,
        actor,
        f"lost_found.{row.kind}_registered",
        "help_item",
        row.id,
        {**payload, "identifiers": row.identifiers_masked, "matches": len(alerts), **where},
    )
    finish(session)
    return row, matches


def _item(session: Session, item_id: int) -> HelpItem:
    row = session.get(HelpItem, item_id)
    if row is None:
        raise NotFound(msg("services.item_not_found", id=item_id), code="item_not_found")
    return row


def get_item(session: Session, actor: Actor, item_id: int) -> HelpItem:
    require(actor, "services.read")
    row = _item(session, item_id)
    own_or_staff(actor, row.reporter_user_id, msg("services.what.item"))
    return row


def matches(session: Session, actor: Actor, item_id: int, limit: int = 5) -> list[Match]:
    """The `limit` best-ranked candidates for a stored item, best first, each with its reason."""
    return _rank(session, get_item(session, actor, item_id), top=limit)


def list_items(
    session: Session,
    actor: Actor,
    *,
    kind: str | None = None,
    status: str | None = None,
    category: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[HelpItem], int]:
    """Staff see all; a citizen sees their own reports. `category` by any of its names."""
    code = _category(category) if category else None
    return list_cases(
        session,
        actor,
        HelpItem,
        kind=kind,
        status=status,
        category=code,
        limit=limit,
        offset=offset,
    )


def public_listing(
    session: Session, actor: Actor, *, category: str | None, limit: int, offset: int
) -> tuple[list[HelpItem], int]:
    """Found items waiting for their owner (the adapter shows no proof-of-ownership fields);
    `category` by any of its names."""
    require(actor, "services.read")
    query = select(HelpItem).where(HelpItem.kind == "found", HelpItem.status.in_(OPEN))
    if category:
        query = query.where(HelpItem.category == _category(category))
    return page(session, query, HelpItem.at.desc(), limit=limit, offset=offset)


def claim(
    session: Session,
    actor: Actor,
    vault: Vault,
    item_id: int,
    *,
    claimant_name: str,
    identifiers_given: dict[str, str] | None = None,
    details: str | None = None,
    lost_item_id: int | None = None,
) -> HelpClaim:
    """Record a claim only when ownership is shown: an identifier, or the held-back details."""
    require(actor, "services.report")
    claimant = common.name(vault, claimant_name, msg("services.what.claimant_name"))
    item = _item(session, item_id)
    if item.kind != "found" or item.status not in OPEN:
        raise Conflict(msg("services.not_claimable"), code="not_claimable")
    if lost_item_id is not None:
        lost = _item(session, lost_item_id)
        own_or_staff(actor, lost.reporter_user_id, msg("services.what.lost_report"))
    try:
        given = identifiers.parse(identifiers_given)
    except identifiers.InvalidIdentifier as exc:
        raise common.bad(str(exc), "bad_identifier") from exc
    keys = _keys_of(session, [item.id])[item.id]
    proof = None
    if any(g.key(vault) in keys for g in given):
        proof = "identifier"
    elif item.hidden_details_enc and details:
        hidden = vault.decrypt(item.hidden_details_enc)
        share = coverage(bigrams(hidden), bigrams(details))
        if share >= settings.lost_found()["claim_details_min"]:
            proof = "details"
    if proof is None:
        raise Forbidden(
            msg("services.ownership_not_proven"),
            code="ownership_not_proven",
        )
    row = HelpClaim(
        item_id=item.id,
        lost_item_id=lost_item_id,
        claimant_user_id=actor.user_id,
        claimant_name_enc=claimant.enc,
        claimant_name_masked=claimant.masked,
        proof=proof,
        status="verified",
    )
    item.status = "claimed"
    session.add(row)
    session.flush()
    audit.record(
        session, actor, "lost_found.claimed", "help_item", item.id, {"claim": row.id, "by": proof}
    )
    finish(session)
    return row


def _claim(session: Session, claim_id: int) -> HelpClaim:
    row = session.get(HelpClaim, claim_id)
    if row is None:
        raise NotFound(msg("services.claim_not_found", id=claim_id), code="claim_not_found")
    return row


def confirm_handover(session: Session, actor: Actor, claim_id: int, side: str) -> HelpClaim:
    """Holder (desk staff) and claimant each confirm; the item is returned when both have."""
    row = _claim(session, claim_id)
    now = utcnow()
    if row.status != "verified":
        raise Conflict(msg("services.claim_closed"), code="claim_closed")
    if side == "holder":
        require(actor, "services.handover")
        row.holder_confirmed_by, row.holder_confirmed_at = actor.username, now
    elif side == "claimant":
        require(actor, "services.report")
        if actor.user_id != row.claimant_user_id:
            raise Forbidden(msg("services.only_claimant_confirms"))
        row.claimant_confirmed_at = now
    else:
        raise common.bad(msg("services.bad_side"), "bad_side")
    detail: dict[str, object] = {"claim": row.id, "side": side}
    if row.holder_confirmed_at and row.claimant_confirmed_at:
        row.status = "handed_over"
        item = _item(session, row.item_id)
        item.status, item.returned_at = "returned", now
        if row.lost_item_id:
            lost = _item(session, row.lost_item_id)
            lost.status, lost.returned_at = "returned", now
        payload = {"case_number": item.case_number, "claim": row.id}
        outbox.publish(session, "lost_found.returned", "help_item", item.id, payload)
        detail["returned"] = True
    audit.record(session, actor, "lost_found.handover_confirmed", "help_claim", row.id, detail)
    finish(session)
    return row


@dataclass(frozen=True, slots=True)
class LifecycleResult:
    announced: list[int]
    disposed: list[int]
    retokenised: int = 0


# Open items whose tokens an earlier tokenizer or lexicon made are made afresh this many per
# run; until then a match prepares such a row on the fly, at a cost per candidate.
RETOKENISE_BATCH = 5000


def _retokenise(session: Session) -> int:
    tokenizer = settings.lost_found()["tokenizer"]
    tag = f"{token_tag(tokenizer)}:"
    stale = session.execute(
        select(HelpItem)
        .where(
            HelpItem.status.in_(OPEN),
            or_(HelpItem.match_tokens.is_(None), ~HelpItem.match_tokens.startswith(tag)),
        )
        .limit(RETOKENISE_BATCH)
    ).scalars()
    n = 0
    for row in stale:
        row.match_tokens = pack_tokens(to_match_item(row, frozenset()), tokenizer)
        n += 1
    return n


def run_lifecycle(session: Session, actor: Actor, now: datetime | None = None) -> LifecycleResult:
    """Announce new found items; dispose of those unclaimed past the retention period; make
    afresh the match tokens of open items an earlier lexicon made."""
    require(actor, "services.lifecycle")
    now = now or utcnow()
    rules = settings.lost_found()
    due = now - timedelta(days=rules["announce_after_days"])
    to_announce = session.execute(
        select(HelpItem).where(
            HelpItem.kind == "found",
            HelpItem.status == "open",
            HelpItem.announced_at.is_(None),
            HelpItem.created_at <= due,
        )
    ).scalars()
    announced = []
    for row in to_announce:
        row.status, row.announced_at = "announced", now
        announced.append(row.id)
        outbox.publish(
            session, "lost_found.announced", "help_item", row.id, {"case": row.case_number}
        )
    expired = now - timedelta(days=rules["retention_days"])
    to_dispose = session.execute(
        select(HelpItem).where(
            HelpItem.kind == "found",
            HelpItem.status == "announced",
            HelpItem.announced_at <= expired,
        )
    ).scalars()
    disposed = []
    # stored as a message, put into words in the reader's language (schemas.ItemPublic)
    note = json.dumps(msg("services.note.disposed", days=rules["retention_days"]).to_json())
    for row in to_dispose:
        row.status, row.disposed_at, row.disposal_note = "disposed", now, note
        disposed.append(row.id)
    retokenised = _retokenise(session)
    if announced or disposed or retokenised:
        detail = {"announced": announced, "disposed": disposed, "retokenised": retokenised}
        audit.record(session, actor, "lost_found.lifecycle", "help_item", None, detail)
    finish(session)
    return LifecycleResult(announced, disposed, retokenised)


def hidden_details(session: Session, actor: Actor, vault: Vault, item_id: int) -> str | None:
    """Held-back details, for the roles that register and hand over items; the read is audited."""
    require(actor, "services.read_pii")
    row = _item(session, item_id)
    audit.record(session, actor, "lost_found.details_read", "help_item", row.id, {})
    finish(session)
    return vault.decrypt(row.hidden_details_enc) if row.hidden_details_enc else None
