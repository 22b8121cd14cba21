"""One language at a time, really: every view of every role, in Chinese, then English, then
Chinese again (switched with the header's language button, no reload), read as the user reads
it — the page's text, option texts, title attributes and placeholders, map tooltips and popups,
chart series and axis names — and judged line by line:

- no raw code: an ASCII token with an underscore, or a code the server uses (incident types,
  unit kinds, incident states, unit statuses, sources, response tiers, crowd levels, shifts,
  plan statuses, item categories, roles);
- no English word in the Chinese view, no Chinese character in the English view;
- no line that mixes the two as "中文 / English".

Run one role's views with `-k commander`, one view with `-k commander-deploy`; the failure
lists every offending line with its view, step and where on the page it was read.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest

from pingan.crowd.levels import Level
from tests.web.browser import new_page, wait_until

pytestmark = pytest.mark.timeout(300)

# Each role's views in the command centre (main.js VIEWS).
ROLE_VIEWS = {
    "commander": [
        "map",
        "queue",
        "board",
        "crowd",
        "kpi",
        "fraudwall",
        "deploy",
        "lost",
        "certdesk",
        "unlockdesk",
        "fraud",
        "dissuade",
        "visitdesk",
    ],
    "officer": [
        "officer",
        "map",
        "queue",
        "lost",
        "certdesk",
        "unlockdesk",
        "witness",
        "fraud",
        "dissuade",
        "visitdesk",
        "kinship",
    ],
    "volunteer": ["map", "crowd", "lost", "unlock", "witness", "identity", "fraudreport"],
    "citizen": ["citizen", "identity", "cert", "unlock", "fraudreport", "visits"],
    "admin": ["users", "units"],
    "locksmith": ["locksmith"],
    "lawyer": ["lawyervisits", "identity"],
    # a resident already registered for video visits, with ties and bookings (the demo's sample)
    "zhouli": ["citizen", "identity", "cert", "unlock", "fraudreport", "visits"],
    # the family search's DNA analyst and reviewer: that view only
    "analyst": ["kinship"],
    "reviewer": ["kinship"],
}
CASES = [(role, view) for role, views in ROLE_VIEWS.items() for view in views]

# English tokens a Chinese page may carry, each for a reason.
ZH_ALLOWED = {
    "IMEI",  # the identifier's own name on the phone's label
    "API",  # the API docs link: no Chinese name in use
    "Pingan",  # the product's name
    "PTU",  # 快反小组(PTU): the force's own abbreviation in the unit kind's Chinese name
    "CSV", "PDF", "GeoJSON", "JSON", "JPEG", "PNG",  # file formats of the exports and imports
    "HiGHS",  # the solver's proper name
    "Leaflet",  # the map library's attribution, a proper name
    "km", "m", "s", "min", "h", "MB",  # units of measure
    "F2", "Esc", "Enter", "Shift", "Alt",  # keyboard keys, named as printed on the keys
    "ATM",  # the cash machine, as printed on it and in the banks' Chinese notices (ATM转账)
    "DNA",  # written so in Chinese (DNA检验, DNA图谱), the analyst's role name included
    "GlobalFiler", "Identifiler", "SureID",  # STR kits' proper names, as the labs' files name them
}  # fmt: skip
# The language button names the language it switches to in that language: "English" on the
# Chinese page, "中文" on the English page. Nothing else is let through.
ZH_ALLOWED_LINES = {"English"}
EN_ALLOWED_LINES = {"中文"}
# Code words that are also English ("normal", "approved", "late") count as codes on the English
# page only where a line or table cell holds the bare lower-case code, as a code shows.
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]")
HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[_.:-][A-Za-z0-9]+)*")
MIXED = re.compile(
    r"[\u3400-\u9fff][^/\n]*\s/\s[^/\n]*[A-Za-z]{2}|[A-Za-z]{2}[^/\n]*\s/\s[^/\n]*[\u3400-\u9fff]"
)
# case numbers (JQ incidents, YS lost items, ZS missing persons …); text may run on into Chinese
CASE_NUMBER = re.compile(r"(?<![A-Za-z0-9])[A-Z]{2}\d{8}-\d+(?!\d)")
ZH_ALLOWED_PATTERNS = re.compile(
    r"(?:P[1-4])+"  # incident priorities, written so in Chinese too (a legend's row: P1P2P3P4)
    r"|P\d{2}"  # percentiles (P50, P90), the statistic's usual notation in Chinese as well
    r"|v\d+"  # a plan's version
)


@dataclass
class Judge:
    """What counts as a code, and what is data shown as entered (never translated)."""

    codes: set[str]
    verbatim: list[str] = field(default_factory=list)

    def strip(self, line: str) -> str:
        """The line without data shown as entered: case numbers, call signs, account names,
        callers' summaries and addresses; the checks judge what is left."""
        line = CASE_NUMBER.sub(" ", line)
        for v in self.verbatim:
            if v in line:
                line = line.replace(v, " ")
        return line

    def offences(self, line: str, lang: str) -> list[str]:
        if line in (ZH_ALLOWED_LINES if lang == "zh" else EN_ALLOWED_LINES):
            return []
        rest = self.strip(line)
        found = []
        if MIXED.search(rest):
            found.append("mixes 中文 / English")
        words = WORD.findall(rest)
        for w in words:
            if w in ZH_ALLOWED or ZH_ALLOWED_PATTERNS.fullmatch(w):
                continue
            digits = any(c.isdigit() for c in w)
            if (
                "_" in w
                or (digits and w in self.codes)
                or (lang == "zh" and w.lower() in self.codes)
            ):
                found.append(f"raw code {w!r}")
            elif lang == "zh" and len(w) > 1:
                found.append(f"English {w!r}")
        if lang == "en" and len(words) == 1 and rest.strip() == words[0] and words[0] in self.codes:
            found.append(f"raw code {words[0]!r}")  # a cell holding a bare code ("normal")
        if lang == "en" and CJK.search(rest):
            found.append(f"Chinese {''.join(HAN.findall(rest))[:20]!r}")
        return found


def _codes(demo) -> set[str]:  # type: ignore[no-untyped-def]
    """Every code the server hands out, from its catalogues (plus what has no catalogue yet)."""
    token = demo.token("commander")

    def get(path: str):  # type: ignore[no-untyped-def]
        r = demo.call("GET", path, token)
        r.raise_for_status()
        return r.json()

    codes = {x["code"] for x in get("/catalogue/incident-types")}
    codes |= {x["code"] for x in get("/catalogue/unit-kinds")}
    codes |= {x["code"] for x in get("/catalogue/response-targets")}
    codes |= {x["code"] for x in get("/catalogue/shifts")["shifts"]}
    codes |= {x["code"] for x in get("/catalogue/item-categories")}
    for names in get("/catalogue/labels").values():
        codes |= set(names)
    codes |= {lv.code for lv in Level}
    codes |= {"draft", "approved", "superseded", "replan", "typical_profile", "forecast"}
    codes |= {"highs", "greedy_swap", "exact", "heuristic", "lightgbm", "ets", "seasonal_naive"}
    codes |= {"commander", "dispatcher", "officer", "volunteer", "citizen", "admin", "auditor"}
    codes |= {"released", "verified", "unverified", "late"}
    return {c.lower() for c in codes}


def _verbatim(demo) -> list[str]:  # type: ignore[no-untyped-def]
    """Data shown as entered, never translated: call signs, account names (people's and the
    system's, as in a timeline: "demo", "sim-officers"), callers' summaries and addresses,
    officers' outcomes."""
    token = demo.token("commander")
    units = demo.call("GET", "/units?limit=500", token).json()["items"]
    incidents = demo.call("GET", "/incidents?limit=500", token).json()["items"]
    users = demo.call("GET", "/users?limit=500", demo.token("admin")).json()
    out = {u["call_sign"] for u in units} | set(demo.passwords)
    for u in users.get("items", []) if isinstance(users, dict) else users:
        out |= {u["username"], u.get("display_name") or u["username"]}
    out |= {
        i[k] for i in incidents for k in ("summary", "address", "outcome", "created_by") if i.get(k)
    }
    for i in incidents[:30]:
        detail = demo.call("GET", f"/incidents/{i['id']}", token).json()
        out |= {e["actor"] for e in detail.get("timeline", []) if e.get("actor")}
        # notes people typed (a further caller's words); the system's own notes have a code
        typed = [e for e in detail.get("timeline", []) if e.get("note") and not e.get("note_code")]
        out |= {e["note"] for e in typed}
    # what citizens typed in their reports: descriptions, colours, brands, names, clothing
    for path in ("/services/lost-found/items?limit=500", "/services/missing?limit=500"):
        page = demo.call("GET", path, token).json()
        for item in page.get("items", []) if isinstance(page, dict) else page:
            out |= {str(item[k]) for k in ("description", "colour", "brand", "name", "clothing",
                                           "place", "found_place", "holder", "storage")
                    if item.get(k)}  # fmt: skip
    # the citizen's certificate numbers, as issued
    mine = demo.call("GET", "/trust/certificates/applications/mine", demo.token("citizen")).json()
    out |= {d["number"] for a in mine for d in a["documents"]}
    # the certificate desk: document numbers, masked names, what applicants and officers typed
    apps = demo.call("GET", "/trust/certificates/applications?limit=500", token).json()["items"]
    for a in apps:
        out |= {a["station"], a.get("name_masked") or a["id_masked"]}
        for d in a["documents"]:
            out |= {d["number"], d.get("revoke_reason") or d["number"]}
        out |= {str(o[k]) for o in a["objections"] for k in ("grounds", "answer") if o.get(k)}
    # the unlock service: filings as an officer typed them, what requests name as the resident
    # typed it (address codes, plates, addresses)
    for s in demo.call("GET", "/trust/unlock/locksmiths", token).json():
        out |= {s[k] for k in ("filing_number", "company", "name_masked", "status_reason") if s[k]}
    for r in demo.call("GET", "/trust/unlock/requests?limit=200", token).json():
        out |= {r[k] for k in ("target", "address") if r[k]}
    # photo hashes and filing numbers on the resident's and witness's unlock pages
    for r in demo.call("GET", "/trust/unlock/requests/mine", demo.token("citizen")).json():
        for photo in (r.get("record") or {}).get("photos", []):
            out |= {photo["sha256"], photo["sha256"][:16]}
        if r.get("locksmith"):
            out.add(r["locksmith"]["filing_number"])
    # early warnings: what officers typed when they closed a dissuasion task
    warnings = demo.call("GET", "/fraud/warnings?limit=500", token).json()["items"]
    out |= {w["outcome_note"] for w in warnings if w["outcome_note"]}
    # anti-fraud cases: case numbers, victims' masked names (the desk's and the resident's lists)
    for c in demo.call("GET", "/fraud/cases?limit=100", token).json().get("items", []):
        out |= {c["case_no"], c["victim_name_masked"]}
    out |= _visits_verbatim(demo)
    out |= _kinship_verbatim(demo)
    return sorted(out, key=len, reverse=True)  # longest first: a summary before a call sign in it


def _visits_verbatim(demo) -> set[str]:  # type: ignore[no-untyped-def]
    """Video visits as the facility registered them: facility and terminal names, addresses,
    detainee numbers, masked names, case authorities, lawyers' licences and firms."""
    token = demo.token("commander")
    out: set[str] = set()
    for f in demo.call("GET", "/visits/facilities", token).json():
        out |= {f["name"], f["code"], f["address"], f["phone"]} | {
            x["name"] for x in f["terminals"]
        }
        listed = demo.call(
            "GET", "/visits/detainees", token, params={"facility_id": f["id"]}
        ).json()
        for d in listed.get("items", listed) if isinstance(listed, dict) else listed:
            out |= {d["detainee_no"], d["name_masked"], d.get("case_authority") or d["detainee_no"]}
    listed = demo.call("GET", "/visits/visitors", token).json()
    for v in listed.get("items", listed) if isinstance(listed, dict) else listed:
        out |= {
            v["name_masked"],
            v.get("licence_no") or v["name_masked"],
            v.get("organisation") or v["name_masked"],
        }
    # the desk's reasons for its decisions on ties, as the officer typed them
    for r in demo.call("GET", "/visits/relations", token, params={"limit": 500}).json():
        out |= {r["review_reason"] or ""}
    return {x for x in out if x}


def _kinship_verbatim(demo) -> set[str]:  # type: ignore[no-untyped-def]
    """The family search as registered: case numbers, pseudonymous sample ids, masked names and
    ID numbers, places, orphanages, transfer records, adoptive families, life stories, consent
    form numbers; the reviewers' notes and the reports' numbers."""
    token = demo.token("analyst")
    out: set[str] = set()
    cases = demo.call("GET", "/kinship/cases", token, params={"limit": 200}).json()["items"]
    for c in cases:
        out |= {c["case_no"], c["name_masked"], c["place"], c["orphanage"]}
        detail = demo.call("GET", f"/kinship/cases/{c['id']}", token).json()
        details = detail.get("details") or {}
        out |= set(details.get("transfer_records") or [])
        out |= {details.get("adoptive_family") or "", details.get("life_story") or ""}
        out.add(detail.get("contact_masked") or "")
        for p in detail["persons"]:
            out |= {p["sample_id"], p["name_masked"], p["id_masked"]}
            out.add((p.get("consent") or {}).get("document_no") or "")
    # candidates: what reviewers typed, report numbers as issued
    listed = demo.call("GET", "/kinship/candidates", token, params={"limit": 200}).json()
    for c in listed["items"]:
        out |= {r["note"] for r in c["reviews"]}
        out.add((c.get("report") or {}).get("number") or "")
    return {x for x in out if x}


@pytest.fixture(scope="module")
def judge(demo) -> Judge:  # type: ignore[no-untyped-def]
    return Judge(_codes(demo))


@pytest.fixture(scope="module")
def plans(demo) -> None:  # type: ignore[no-untyped-def]
    """A plan and a re-plan made from it, so the deployment view has every figure to show."""
    token = demo.token("commander")
    listed = demo.call("GET", "/deployment/plans?limit=100", token).json()["items"]
    if any(p.get("based_on_id") for p in listed):
        return
    if listed:
        plan = listed[0]
    else:
        shift = demo.call("GET", "/catalogue/shifts", token).json()["shifts"][0]["code"]
        body = {"date": date.today().isoformat(), "shift": shift}
        r = demo.call("POST", "/deployment/plans", token, json=body, timeout=120)
        assert r.status_code == 201, r.text
        plan = r.json()
    body = {"crowds": {"music_fountain": 20000}, "max_moves": 2}
    r = demo.call("POST", f"/deployment/plans/{plan['id']}/replan", token, json=body, timeout=120)
    assert r.status_code == 201, r.text


# Everything a user can read (see the script's head); evaluated as it stands, no eval in the page.
_SCRIPT = (Path(__file__).parent / "page_text.js").read_text(encoding="utf-8").splitlines()
COLLECT = "\n".join(line for line in _SCRIPT if not line.startswith("//"))

# Counts the page's API calls in flight (the live stream aside), to know when a view has drawn.
TRACK = """(() => {
  const f = window.fetch; window.__inflight = 0;
  window.fetch = (...a) => {
    const url = String(a[0] && a[0].url || a[0]);
    if (url.includes("/events")) return f(...a);
    window.__inflight++;
    return f(...a).finally(() => { window.__inflight--; });
  };
})();"""


def _settle(page, quiet_ms: int = 600, timeout_s: float = 10) -> None:  # type: ignore[no-untyped-def]
    """No API call in flight and the page's text unchanged for `quiet_ms`."""
    deadline = time.monotonic() + timeout_s
    last, since = None, time.monotonic()
    while time.monotonic() < deadline:
        now = page.evaluate("[window.__inflight || 0, document.body.innerText]")
        if now[0] == 0 and now[1] == last:
            if (time.monotonic() - since) * 1000 >= quiet_ms:
                return
        else:
            last, since = now[1] if now[0] == 0 else None, time.monotonic()
        page.wait_for_timeout(100)


def _read(page, judge: Judge, lang: str, where: str) -> list[str]:  # type: ignore[no-untyped-def]
    _settle(page)
    assert page.evaluate("document.documentElement.lang") == ("zh-CN" if lang == "zh" else "en")
    bad = []
    for kind, line in page.evaluate(COLLECT):
        whys = judge.offences(line, lang)
        if whys:
            bad.append(f"{where} [{kind}] {'; '.join(dict.fromkeys(whys))}: {line}")
    return bad


def _switch(page, to: str) -> None:  # type: ignore[no-untyped-def]
    page.click("#lang")
    wait_until(page, f"document.documentElement.lang === '{'zh-CN' if to == 'zh' else 'en'}'")


def _open_incident(demo) -> int:  # type: ignore[no-untyped-def]
    """An open incident with units on it, so its detail shows assignments and a timeline."""
    token = demo.token("commander")
    items = demo.call("GET", "/incidents?limit=100", token).json()["items"]
    busy = [i for i in items if i["state"] not in ("received", "closed", "cancelled", "merged")]
    return (busy or items)[0]["id"]


def _start(browser, demo, username: str | None, view: str | None):  # type: ignore[no-untyped-def]
    """A fresh page in Chinese, logged in as `username` and showing `view` with something
    opened in it: the queue an incident's detail, the map a unit's panel, the deployment view a
    re-plan made in the page (its moves, coverage before and after)."""
    page = new_page(browser)
    page.add_init_script(TRACK)
    page.goto(demo.url + "/")
    page.evaluate("localStorage.setItem('pingan.lang', 'zh')")
    page.reload()
    if username is None:
        page.wait_for_selector("#login-form")
        return page
    page.fill("#login-form input[name=username]", username)
    page.fill("#login-form input[name=password]", demo.passwords[username])
    page.click("#login-form button[type=submit]")
    wait_until(page, "!!document.querySelector('.view:not([hidden])')")
    if view == "queue":
        page.goto(f"{demo.url}/#queue/{_open_incident(demo)}")
        page.wait_for_selector("#incident-detail h2")
    elif view != "none":
        page.goto(f"{demo.url}/#{view}")
        page.wait_for_selector(f"#view-{view}:not([hidden])")
    if view == "deploy":  # a re-plan in the page: its moves, coverage before and after
        page.wait_for_selector("#replan-form input[name=people]")
        page.fill("#replan-form input[name=people]", "20000")
        page.click("#replan-form button[type=submit]")
        page.wait_for_selector("#replan-moves", timeout=60_000)
    if view == "kinship":  # an adoptee's case opened, with the candidates its search found
        page.goto(f"{demo.url}/#kinship/{_searched_case(demo)}")
        page.wait_for_selector("#kn-case-title")
        page.wait_for_selector("#kn-candidates .kn-candidate")
    if view == "map":
        wait_until(page, "window.pingan.markers.units.size > 0")
        page.evaluate("window.pingan.markers.units.values().next().value.fire('click')")
    return page


def _searched_case(demo) -> int:  # type: ignore[no-untyped-def]
    """The first adoptee case of the demo's family search, searched (the demo's one match)."""
    token = demo.token("analyst")
    cases = demo.call("GET", "/kinship/cases", token, params={"side": "adoptee"}).json()["items"]
    case = min(cases, key=lambda c: c["case_no"])
    r = demo.call("POST", f"/kinship/cases/{case['id']}/search", token, json={}, timeout=120)
    assert r.status_code == 201, r.text
    return case["id"]


def _round_trip(page, judge: Judge, name: str) -> list[str]:  # type: ignore[no-untyped-def]
    bad = _read(page, judge, "zh", f"{name} 中文")
    _switch(page, "en")
    bad += _read(page, judge, "en", f"{name} → English")
    _switch(page, "zh")
    bad += _read(page, judge, "zh", f"{name} → 中文 again")
    return bad


def _verdict(bad: list[str]) -> None:
    if bad:
        pytest.fail(f"{len(bad)} lines not in one language:\n" + "\n".join(bad), pytrace=False)


def test_login_page_speaks_one_language(demo, browser, judge: Judge) -> None:  # type: ignore[no-untyped-def]
    """The chrome before login (header, login form, footer) and its messages: the server's
    refusal is cleared by a switch, the page's own check re-worded in the new language."""
    judge.verbatim = _verbatim(demo)
    page = _start(browser, demo, None, None)
    try:
        page.fill("#login-form input[name=username]", "commander")
        page.fill("#login-form input[name=password]", "not the password")
        page.click("#login-form button[type=submit]")
        wait_until(page, "document.querySelector('#login-error').textContent !== ''")
        refused = page.inner_text("#login-error")
        bad = _round_trip(page, judge, "login, refused")
        assert page.inner_text("#login-error") in ("", refused)  # cleared, or asked again in 中文

        page.fill("#login-form input[name=username]", "")
        page.fill("#login-form input[name=password]", "")
        page.click("#login-form button[type=submit]")
        assert page.inner_text("#login-error") == "用户名：此项必填；密码：此项必填"
        _switch(page, "en")
        assert page.inner_text("#login-error") == "Username: required; Password: required"
        _switch(page, "zh")
        bad += _read(page, judge, "zh", "login, fields missing")
        _verdict(bad)
    finally:
        page.close()


@pytest.mark.parametrize(("role", "view"), CASES, ids=[f"{r}-{v}" for r, v in CASES])
def test_view_speaks_one_language(demo, browser, judge: Judge, plans, role: str, view: str) -> None:  # type: ignore[no-untyped-def]
    """One role's view in Chinese, switched to English and back, each time read in full."""
    judge.verbatim = _verbatim(demo)
    page = _start(browser, demo, role, view)
    try:
        # every view the role's navigation offers is a case here (a new view must be added)
        offered = page.evaluate(
            "[...document.querySelectorAll('#nav a')].map((a) => a.dataset.view)"
        )
        missing = set(offered) - set(ROLE_VIEWS[role])
        assert not missing, f"views of {role} not in ROLE_VIEWS: {sorted(missing)}"
        _verdict(_round_trip(page, judge, f"{role}/{view}"))
    finally:
        page.close()
