"""Browser security headers on every response, and web sources that keep the policy."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from pingan.http.security import CONTENT_SECURITY_POLICY
from tests.conftest import Accounts

STATIC = Path(__file__).resolve().parents[1] / "src" / "pingan" / "web" / "static"
PAGES = sorted(STATIC.glob("*.html"))
SCRIPTS = sorted((STATIC / "js").glob("*.js"))


def _directives(policy: str) -> dict[str, list[str]]:
    return {d.split()[0]: d.split()[1:] for d in policy.split(";") if d.strip()}


def _assert_secured(response) -> None:  # type: ignore[no-untyped-def]
    h = response.headers
    assert h["content-security-policy"] == CONTENT_SECURITY_POLICY, response.request.url
    assert h["x-content-type-options"] == "nosniff"
    assert h["x-frame-options"] == "DENY"
    assert h["referrer-policy"] == "no-referrer"


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/", 200),
        ("GET", "/api/docs", 200),
        ("GET", "/verify", 200),  # the public certificate check
        ("GET", "/static/js/main.js", 200),
        ("GET", "/static/vendor/leaflet/leaflet.css", 200),
        ("GET", "/static/no-such-file.js", 404),
        ("GET", "/healthz", 200),
        ("GET", "/api/openapi.json", 200),
        ("GET", "/api/v1/units", 401),
        ("POST", "/api/v1/auth/login", 422),
    ],
)
def test_every_response_carries_the_security_headers(
    client: TestClient, method: str, path: str, status: int
) -> None:
    r = client.request(method, path, json={} if method == "POST" else None)
    assert r.status_code == status
    _assert_secured(r)


def test_a_refused_oversized_body_carries_the_security_headers(client: TestClient) -> None:
    big = client.app.state.settings.max_body_bytes + 1  # type: ignore[attr-defined]
    r = client.post("/api/v1/auth/login", content=b"x" * big)
    assert r.status_code == 413
    _assert_secured(r)


def test_an_authenticated_api_answer_carries_the_security_headers(
    client: TestClient, accounts: Accounts
) -> None:
    r = client.get("/api/v1/units", headers=accounts.headers("dispatcher"))
    assert r.status_code == 200
    _assert_secured(r)


def test_policy_allows_scripts_and_styles_only_from_the_server() -> None:
    d = _directives(CONTENT_SECURITY_POLICY)
    assert d["default-src"] == ["'self'"]
    assert d["script-src"] == ["'self'"]  # no inline script, no eval, no other host
    assert d["style-src"] == ["'self'"]
    assert d["connect-src"] == ["'self'"]
    assert d["object-src"] == ["'none'"] and d["base-uri"] == ["'none'"]
    assert d["frame-ancestors"] == ["'none'"]
    assert not any(s.startswith("http") or s == "*" for v in d.values() for s in v)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_pages_have_no_inline_script_handler_or_style(page: Path) -> None:
    html = page.read_text(encoding="utf-8")
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag, f"inline script in {page.name}: {tag}"
    assert not re.search(r"<script\b[^>]*>\s*[^<\s]", html), f"script body in {page.name}"
    assert not re.search(r"\son[a-z]+\s*=", html), f"inline event handler in {page.name}"
    assert not re.search(r"\sstyle\s*=", html), f"style attribute in {page.name}"
    assert "<style" not in html, f"style element in {page.name}"


# Ways a string would become markup: the web sources use none of them (core.js `el` instead).
MARKUP_SINKS = [
    r"\.innerHTML\s*=",
    r"\.outerHTML\s*=",
    r"insertAdjacentHTML",
    r"document\.write",
    r"\bbind(Tooltip|Popup)\(\s*[`'\"]",
    r"\bset(Tooltip|Popup)?Content\(\s*[`'\"]",
    r"\bformatter\s*:\s*\(",  # an ECharts formatter function returns HTML
    r"\beval\(|new Function\(",
    r"setAttribute\(\s*[\"']style",
]


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_web_sources_never_turn_strings_into_markup(script: Path) -> None:
    code = script.read_text(encoding="utf-8")
    for sink in MARKUP_SINKS:
        hit = re.search(sink, code)
        assert hit is None, f"{script.name}: {hit.group(0) if hit else ''}"
