"""Checks a CAP 1.2 message against the OASIS schema and the rules of the standard's text.

The schema (tests/data/cap/CAP-v1.2.xsd, read from disk: nothing is downloaded) checks the
structure, the enumerations and the dateTime pattern. It admits what the text forbids: UTC
written "+00:00" (§3.3.2 wants "-00:00"), identifiers with spaces or commas, `references`
in any shape, an `Update` or `Cancel` naming nothing, and any string as a circle or polygon
(§3.2.1, §3.4.1). Those are checked here by hand.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from xml.etree import ElementTree as ET

import xmlschema

from pingan.services.cap import CAP_NS

XSD = Path(__file__).parents[1] / "data" / "cap" / "CAP-v1.2.xsd"
TIME_ELEMENTS = ("sent", "effective", "onset", "expires")
_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[-+]\d\d:\d\d")
_TOKEN = re.compile(r"[^\s,<&]+")
_POINT = r"(-?\d+(?:\.\d+)?),(-?\d+(?:\.\d+)?)"
_CIRCLE = re.compile(_POINT + r" (\d+(?:\.\d+)?)")


@cache
def schema() -> xmlschema.XMLSchema:
    # read here and handed over as text, with allow="none": the schema may fetch nothing
    return xmlschema.XMLSchema(XSD.read_text(encoding="utf-8"), allow="none")


def q(tag: str) -> str:
    return f"{{{CAP_NS}}}{tag}"


def texts(root: ET.Element, tag: str) -> list[str]:
    """The text of every `tag` element anywhere in the message."""
    return [el.text or "" for el in root.iter(q(tag))]


def _time(value: str) -> None:
    assert _TIME.fullmatch(value), f"not a CAP dateTime: {value!r}"
    assert not value.endswith("+00:00"), f"UTC must be written -00:00: {value!r}"


def _point(lat: str, lon: str) -> None:
    assert -90 <= float(lat) <= 90 and -180 <= float(lon) <= 180, (lat, lon)


def references(root: ET.Element) -> list[tuple[str, str, str]]:
    """The (sender, identifier, sent) triples the message names; [] if none."""
    text = root.findtext(q("references"))
    if text is None:
        return []
    triples = []
    for item in text.split(" "):
        parts = item.split(",")
        assert len(parts) == 3, f"a reference is sender,identifier,sent: {item!r}"
        sender, identifier, sent = parts
        assert _TOKEN.fullmatch(sender) and _TOKEN.fullmatch(identifier), item
        _time(sent)
        triples.append((sender, identifier, sent))
    return triples


def conforming(xml: str | bytes) -> ET.Element:
    """The parsed message, once it passes the schema and the text's rules (else AssertionError)."""
    data = xml.encode("utf-8") if isinstance(xml, str) else xml
    errors = [f"{e.path}: {e.reason}" for e in schema().iter_errors(data)]
    assert not errors, errors
    root = ET.fromstring(data)
    for tag in ("identifier", "sender"):
        assert _TOKEN.fullmatch(root.findtext(q(tag)) or ""), f"{tag} has a space, comma, < or &"
    for tag in TIME_ELEMENTS:
        for value in texts(root, tag):
            _time(value)
    named = references(root)
    if root.findtext(q("msgType")) in ("Update", "Cancel"):
        assert named, "an Update or Cancel names the messages it updates or cancels"
    for circle in texts(root, "circle"):
        match = _CIRCLE.fullmatch(circle)
        assert match, f"circle is 'lat,lon radius': {circle!r}"
        _point(match[1], match[2])
    for polygon in texts(root, "polygon"):
        pairs = polygon.split(" ")
        assert len(pairs) >= 4 and pairs[0] == pairs[-1], f"polygon not closed: {polygon!r}"
        for pair in pairs:
            _point(*re.fullmatch(_POINT, pair).groups())
    return root
