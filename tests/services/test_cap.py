"""CAP 1.2 messages: valid against the OASIS schema and the standard's text whatever a missing
person's description holds; UTC written -00:00; an Update and a Cancel with their own
identifiers name the earlier messages in <references>."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pingan.services import cap, missing_cap
from pingan.services.models import MissingAlert, MissingReport
from tests.services.cap_conformance import conforming, q, references, texts

T0 = datetime(2026, 7, 1, 12, 0, 0, 250_000, tzinfo=UTC)
CASE = "ZS20260701-0001"
AWKWARD = (
    "男孩，身高约1米2，红色上衣，蓝色牛仔裤",
    "<b>加粗</b> & <script>alert(1)</script> ]]> &amp;",
    "红色上衣\x00\x1b[31m\x0b\x0c蓝裤\ud800\ufffe",
    "",
    "Tab\there, line\nbreak, CR\r, emoji 👧, RTL \u202etext",
)


def person(description: str = "男孩，短发") -> cap.MissingPerson:
    return cap.MissingPerson("child", description, 109.7835, 39.5993, T0 - timedelta(minutes=20))


def ref(n: int | str, hours: float = 0) -> cap.Ref:
    return cap.Ref(f"{CASE}.{n}", T0 + timedelta(hours=hours))


def triple(r: cap.Ref) -> tuple[str, str, str]:
    return (cap.SENDER, r.identifier, cap.cap_time(r.sent))


def every_message(description: str) -> list[str]:
    """The three kinds the platform writes: Alert, Update naming it, Cancel naming both."""
    first, wider = ref(1), ref(2, 1)
    return [
        cap.missing_alert(first, person(description), 1),
        cap.missing_alert(wider, person(description), 3, [first]),
        cap.missing_cancel(ref("cancel", 2), [first, wider]),
    ]


# Any text a person can paste: every code point, control characters and lone surrogates too.
any_text = st.text(alphabet=st.characters(codec=None, categories=None), max_size=200)


@settings(deadline=None)
@given(any_text)
def test_alert_and_update_validate_against_the_schema_for_any_description(description):
    for xml in every_message(description)[:2]:
        root = conforming(xml)
        kept = cap.xml_text(description).replace("\r\n", "\n").replace("\r", "\n")
        for text in texts(root, "description"):
            assert text.startswith(kept)  # markup escaped, only what XML cannot hold dropped


@pytest.mark.parametrize("description", AWKWARD)
def test_every_message_kind_validates_with_awkward_text(description):
    kinds = [conforming(xml).findtext(q("msgType")) for xml in every_message(description)]
    assert kinds == ["Alert", "Update", "Cancel"]


def test_control_characters_are_dropped_and_markup_kept_as_text():
    root = conforming(cap.missing_alert(ref(1), person(AWKWARD[2]), 1))
    assert texts(root, "description")[0].startswith("红色上衣[31m蓝裤 (last seen")
    root = conforming(cap.missing_alert(ref(1), person(AWKWARD[1]), 1))
    assert texts(root, "description")[0].startswith(AWKWARD[1])


def test_utc_times_are_written_minus_zero_in_whole_seconds():
    root = conforming(cap.missing_alert(ref(2, 1), person(), 3, [ref(1)]))
    times = [root.findtext(q("sent")), *texts(root, "onset"), references(root)[0][2]]
    assert times == [
        "2026-07-01T13:00:00-00:00",
        "2026-07-01T11:40:00-00:00",
        "2026-07-01T11:40:00-00:00",
        "2026-07-01T12:00:00-00:00",
    ]
    for xml in every_message("x"):
        assert "+00:00" not in xml and "Z<" not in xml and not re.search(r":\d\d\.\d", xml)


def test_a_time_with_another_offset_keeps_it_and_a_naive_time_is_refused():
    beijing = timezone(timedelta(hours=8))
    assert cap.cap_time(datetime(2026, 7, 1, 20, tzinfo=beijing)) == "2026-07-01T20:00:00+08:00"
    odd = timezone(timedelta(hours=-3, seconds=-30))  # not writable as ±hh:mm: given in UTC
    assert cap.cap_time(datetime(2026, 7, 1, 9, tzinfo=odd)) == "2026-07-01T12:00:30-00:00"
    conforming(cap.missing_alert(cap.Ref(CASE, T0.astimezone(beijing)), person(), 1))
    with pytest.raises(ValueError, match="time zone"):
        cap.cap_time(datetime(2026, 7, 1, 12))


@pytest.mark.parametrize("identifier", ["ZS 1", "ZS,1", "ZS<1", "ZS&1", ""])
def test_identifiers_with_spaces_commas_or_restricted_characters_are_refused(identifier):
    with pytest.raises(ValueError, match="identifier"):
        cap.Ref(identifier, T0)


def test_an_update_or_cancel_naming_nothing_is_refused():
    with pytest.raises(ValueError, match="Cancel"):
        cap.missing_cancel(ref("cancel"), [])
    assert "<references>" not in cap.missing_alert(ref(1), person(), 1, [])  # an Alert


def test_cancel_has_its_own_identifier_and_references_every_earlier_message():
    alert, update, cancel = (conforming(xml) for xml in every_message("x"))
    ids = [m.findtext(q("identifier")) for m in (alert, update, cancel)]
    assert len(set(ids)) == 3
    assert references(alert) == []
    assert references(update) == [triple(ref(1))]
    assert references(cancel) == [triple(ref(1)), triple(ref(2, 1))]
    assert cancel.find(q("info")) is None and cancel.findtext(q("note")) == cap.CANCEL_NOTE


def test_thread_of_a_stored_report_gives_alert_updates_and_cancel_from_stored_times():
    report = MissingReport(
        case_number=CASE,
        kind="elder",
        description="白发，戴眼镜 <i>",
        clothing="灰色外套",
        lon=109.7835,
        lat=39.5993,
        last_seen_at=T0 - timedelta(hours=3),
        closed_at=None,
    )
    pushes = [MissingAlert(at=T0 + timedelta(hours=h), radius_km=km) for h, km in ((0, 1), (1, 3))]
    opened = missing_cap.thread(report, pushes)
    assert opened == missing_cap.thread(report, pushes)  # same bytes on every fetch
    report.closed_at = T0 + timedelta(hours=1, minutes=30)
    closed = missing_cap.thread(report, pushes)
    assert closed[:2] == opened
    roots = [conforming(xml) for xml in closed]
    assert [r.findtext(q("msgType")) for r in roots] == ["Alert", "Update", "Cancel"]
    assert [r.findtext(q("identifier")) for r in roots] == [
        f"{CASE}.1",
        f"{CASE}.2",
        f"{CASE}.cancel",
    ]
    assert [r.findtext(q("sent")) for r in roots] == [
        "2026-07-01T12:00:00-00:00",
        "2026-07-01T13:00:00-00:00",
        "2026-07-01T13:30:00-00:00",
    ]
    assert texts(roots[1], "circle")[0] == "39.599300,109.783500 3"
    assert "灰色外套" in texts(roots[0], "description")[0]
    assert references(roots[2]) == [
        (cap.SENDER, f"{CASE}.1", "2026-07-01T12:00:00-00:00"),
        (cap.SENDER, f"{CASE}.2", "2026-07-01T13:00:00-00:00"),
    ]


ALERT, CANCEL = 0, 2  # places in every_message()


@pytest.mark.parametrize(
    ("which", "change", "why"),
    [
        (CANCEL, lambda x: x.replace("-00:00", "+00:00"), "-00:00"),
        (CANCEL, lambda x: x.replace("-00:00", "Z"), "/sent: value doesn.t match"),
        (CANCEL, lambda x: x.replace(":00-00:00</sent>", ":00.5-00:00</sent>"), "/sent:"),
        (CANCEL, lambda x: x.replace(">Cancel<", ">Revoke<"), "Cancel"),
        (CANCEL, lambda x: re.sub("<references>.*</references>", "", x), "names the messages"),
        (CANCEL, lambda x: x.replace(f"{CASE}.1,", f"{CASE}.1 "), "sender,identifier,sent"),
        (CANCEL, lambda x: x.replace(f"<identifier>{CASE}", "<identifier>ZS 1"), "identifier"),
        (ALERT, lambda x: x.replace("39.599300,109.783500 1", "39.599300 109.783500 1"), "circle"),
        (ALERT, lambda x: x.replace("39.599300,109.783500 1", "99.0,109.783500 1"), "99"),
        (
            ALERT,
            lambda x: x.replace("<circle>", "<polygon>1,2 3,4 5,6 1,3</polygon><circle>"),
            "closed",
        ),
        (ALERT, lambda x: x.replace("<urgency>Immediate", "<urgency>Now"), "Immediate"),
        (ALERT, lambda x: x.replace("zh-CN", "zh CN"), "/language:"),
    ],
)
def test_the_conformance_check_fails_a_message_that_breaks_a_rule(which, change, why):
    message = every_message("x")[which]
    conforming(message)
    broken = change(message)
    assert broken != message
    with pytest.raises(AssertionError, match=why):
        conforming(broken)
