"""CAP 1.2 XML stays well-formed whatever a missing person's description holds."""

from __future__ import annotations

from datetime import UTC, datetime
from xml.etree import ElementTree as ET

from hypothesis import given
from hypothesis import strategies as st

from pingan.services.cap import CAP_NS, missing_alert, xml_text

T0 = datetime(2026, 7, 1, 12, tzinfo=UTC)


def alert_for(description: str) -> str:
    return missing_alert(
        identifier="ZS2026070100001",
        sent=T0,
        kind="child",
        description=description,
        lon=109.7835,
        lat=39.5993,
        radius_km=1,
        last_seen_at=T0,
    )


# Any text a person can paste: every code point, control characters and lone surrogates too.
any_text = st.text(alphabet=st.characters(codec=None, categories=None), max_size=200)


@given(any_text)
def test_cap_xml_parses_for_any_description(description):
    root = ET.fromstring(alert_for(description).encode("utf-8"))
    for info in root.findall(f"{{{CAP_NS}}}info"):
        text = info.find(f"{{{CAP_NS}}}description").text or ""
        kept = xml_text(description).replace("\r\n", "\n").replace("\r", "\n")
        assert text.startswith(kept)  # markup escaped, only what XML cannot hold dropped


def test_cap_xml_drops_control_characters_and_keeps_markup_as_text():
    root = ET.fromstring(alert_for("红色上衣\x00\x1b[31m <b>&amp; \ufffe蓝裤\ud800").encode())
    text = root.find(f"{{{CAP_NS}}}info/{{{CAP_NS}}}description").text
    assert text.startswith("红色上衣[31m <b>&amp; 蓝裤 (last seen")
