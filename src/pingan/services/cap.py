"""Missing-person alerts as CAP 1.2 (OASIS Common Alerting Protocol) XML.

Built with the standard library's ElementTree: the message has a dozen fixed elements,
and the structure is checked in the tests against the CAP 1.2 required elements. ElementTree
escapes markup but not the control characters XML forbids, so every text is cleaned first:
whatever a description holds, the message stays well-formed.
"""

from __future__ import annotations

import re
from datetime import datetime
from xml.etree import ElementTree as ET

CAP_NS = "urn:oasis:names:tc:emergency:cap:1.2"
SENDER = "pingan@kangbashi.police"
KIND_ZH = {"child": "儿童", "elder": "老人", "visitor": "游客"}
# Characters XML 1.0 cannot carry at all, escaped or not (C0 controls but tab and newlines,
# lone surrogates, U+FFFE/U+FFFF): dropped, so a pasted description never breaks the message.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(text: str) -> str:
    """`text` without the characters XML 1.0 forbids (ElementTree escapes the rest)."""
    return _NOT_XML.sub("", text)


def _ts(at: datetime) -> str:
    return at.isoformat(timespec="seconds")


def missing_alert(
    *,
    identifier: str,
    sent: datetime,
    kind: str,
    description: str,
    lon: float,
    lat: float,
    radius_km: float,
    last_seen_at: datetime,
    status: str = "Actual",
    msg_type: str = "Alert",
) -> str:
    """One CAP <alert> with a Chinese and an English <info> and a circle area."""
    ET.register_namespace("", CAP_NS)
    alert = ET.Element(f"{{{CAP_NS}}}alert")

    def sub(parent: ET.Element, tag: str, text: str) -> ET.Element:
        el = ET.SubElement(parent, f"{{{CAP_NS}}}{tag}")
        el.text = xml_text(text)
        return el

    for tag, text in (
        ("identifier", identifier),
        ("sender", SENDER),
        ("sent", _ts(sent)),
        ("status", status),
        ("msgType", msg_type),
        ("scope", "Public"),
    ):
        sub(alert, tag, text)
    for lang, event, head, area in (
        ("zh-CN", "人员走失", f"寻找走失{KIND_ZH.get(kind, '人员')}", "最后出现地点周边"),
        ("en-US", "Missing person", f"Missing {kind}", "Around the last-seen place"),
    ):
        info = ET.SubElement(alert, f"{{{CAP_NS}}}info")
        sub(info, "language", lang)
        sub(info, "category", "Rescue")
        sub(info, "event", event)
        sub(info, "urgency", "Immediate")
        sub(info, "severity", "Severe")
        sub(info, "certainty", "Observed")
        sub(info, "headline", head)
        sub(info, "description", f"{description} (last seen {_ts(last_seen_at)})")
        area_el = ET.SubElement(info, f"{{{CAP_NS}}}area")
        sub(area_el, "areaDesc", area)
        # CAP circle: "lat,lon radius_km" in WGS-84.
        sub(area_el, "circle", f"{lat:.6f},{lon:.6f} {radius_km:g}")
    return ET.tostring(alert, encoding="unicode", xml_declaration=True)
