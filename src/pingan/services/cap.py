"""Missing-person alerts as CAP 1.2 (OASIS Common Alerting Protocol) XML.

Built with the standard library's ElementTree: the message has a dozen fixed elements, and
the tests validate every message against the OASIS CAP 1.2 schema and the rules of the
standard's text the schema leaves out. ElementTree escapes markup but not the control
characters XML forbids, so every text is cleaned first: whatever a description holds, the
message stays well-formed.

A report gives a thread of messages: the first push is an `Alert`, each wider radius an
`Update`, the hand-over a `Cancel`. Every message after the first has its own identifier
and names the earlier ones in `<references>`, as CAP 1.2 §3.2.1 requires.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from xml.etree import ElementTree as ET

from pingan.i18n import text as message_text

CAP_NS = "urn:oasis:names:tc:emergency:cap:1.2"
SENDER = "pingan@kangbashi.police"
KIND_ZH = {"child": "儿童", "elder": "老人", "visitor": "游客"}
# The alert-level <note> has no <language> of its own: it carries both, as the <info> blocks do.
CANCEL_NOTE = " / ".join(message_text("services.cap_cancel_note", lang) for lang in ("zh_CN", "en"))
# Characters XML 1.0 cannot carry at all, escaped or not (C0 controls but tab and newlines,
# lone surrogates, U+FFFE/U+FFFF): dropped, so a pasted description never breaks the message.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# CAP 1.2 §3.2.1: identifier and sender hold no spaces, commas or restricted characters.
_CAP_TOKEN = re.compile(r"[^\s,<&]+")

ET.register_namespace("", CAP_NS)


def xml_text(text: str) -> str:
    """`text` without the characters XML 1.0 forbids (ElementTree escapes the rest)."""
    return _NOT_XML.sub("", text)


def cap_time(at: datetime) -> str:
    """A CAP 1.2 dateTime (§3.3.2): whole seconds and a numeric offset, UTC as "-00:00".

    The standard forbids "Z" and writes UTC as "-00:00"; Python writes "+00:00". A time
    without a zone cannot be written at all."""
    offset = at.utcoffset()
    if offset is None:
        raise ValueError("CAP times need a time zone")
    if offset % timedelta(minutes=1):  # the format has no seconds in the offset
        at, offset = at.astimezone(UTC), timedelta(0)
    text = at.replace(microsecond=0).isoformat()
    return text[:-6] + "-00:00" if offset == timedelta(0) else text


@dataclass(frozen=True, slots=True)
class Ref:
    """One message of a thread, as later messages name it in <references>."""

    identifier: str
    sent: datetime

    def __post_init__(self) -> None:
        if not _CAP_TOKEN.fullmatch(self.identifier):
            raise ValueError(f"CAP identifier with a space, comma, < or &: {self.identifier!r}")

    def reference(self) -> str:
        """ "sender,identifier,sent" (§3.2.1 <references>)."""
        return f"{SENDER},{self.identifier},{cap_time(self.sent)}"


@dataclass(frozen=True, slots=True)
class MissingPerson:
    """What the public may read about the person: no name, no contact."""

    kind: str
    description: str
    lon: float
    lat: float
    last_seen_at: datetime


def _sub(parent: ET.Element, tag: str, text: str) -> ET.Element:
    el = ET.SubElement(parent, f"{{{CAP_NS}}}{tag}")
    el.text = xml_text(text)
    return el


def _message(ref: Ref, msg_type: str, earlier: Sequence[Ref], note: str | None) -> ET.Element:
    """The <alert> header; `Update` and `Cancel` name the earlier messages."""
    if msg_type != "Alert" and not earlier:
        raise ValueError(f"a CAP {msg_type} needs the messages it refers to")
    alert = ET.Element(f"{{{CAP_NS}}}alert")
    for tag, text in (
        ("identifier", ref.identifier),
        ("sender", SENDER),
        ("sent", cap_time(ref.sent)),
        ("status", "Actual"),
        ("msgType", msg_type),
        ("scope", "Public"),
    ):
        _sub(alert, tag, text)
    if note:
        _sub(alert, "note", note)
    if earlier:
        _sub(alert, "references", " ".join(r.reference() for r in earlier))
    return alert


def _xml(alert: ET.Element) -> str:
    return ET.tostring(alert, encoding="unicode", xml_declaration=True)


def missing_alert(
    ref: Ref, person: MissingPerson, radius_km: float, earlier: Sequence[Ref] = ()
) -> str:
    """One CAP <alert> with a Chinese and an English <info> and a circle area: an `Alert`
    for the first push, an `Update` naming the `earlier` messages for a wider radius."""
    alert = _message(ref, "Update" if earlier else "Alert", earlier, None)
    seen = cap_time(person.last_seen_at)
    for lang, event, head, area in (
        ("zh-CN", "人员走失", f"寻找走失{KIND_ZH.get(person.kind, '人员')}", "最后出现地点周边"),
        ("en-US", "Missing person", f"Missing {person.kind}", "Around the last-seen place"),
    ):
        info = ET.SubElement(alert, f"{{{CAP_NS}}}info")
        _sub(info, "language", lang)
        _sub(info, "category", "Rescue")
        _sub(info, "event", event)
        _sub(info, "urgency", "Immediate")
        _sub(info, "severity", "Severe")
        _sub(info, "certainty", "Observed")
        _sub(info, "onset", seen)
        _sub(info, "headline", head)
        _sub(info, "description", f"{person.description} (last seen {seen})")
        area_el = ET.SubElement(info, f"{{{CAP_NS}}}area")
        _sub(area_el, "areaDesc", area)
        # CAP circle: "lat,lon radius_km" in WGS-84.
        _sub(area_el, "circle", f"{person.lat:.6f},{person.lon:.6f} {radius_km:g}")
    return _xml(alert)


def missing_cancel(ref: Ref, earlier: Sequence[Ref]) -> str:
    """The `Cancel` of every earlier message of the thread: a note, no person details."""
    return _xml(_message(ref, "Cancel", earlier, CANCEL_NOTE))
