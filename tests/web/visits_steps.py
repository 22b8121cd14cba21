"""Steps the video-visit page tests share: the demo's people and places (sim/data/visits.yaml),
a page watched for errors, a proof file to upload, the demo's rows read through the API."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from pathlib import Path

from pingan.sim.visits_world import proof_png

PHONE = {"width": 420, "height": 900}
VISITS = "/visits"
KSS, JLS = "KBS-KSS", "KBS-JLS"  # the demo's 看守所 and 拘留所


def watch(page, allowed: tuple[str, ...] = ()) -> list[str]:  # type: ignore[no-untyped-def]
    """Console errors, page errors and refused requests, except those the test provokes."""
    seen: list[str] = []

    def response(r) -> None:  # type: ignore[no-untyped-def]
        if r.status >= 400 and not any(a in r.url for a in allowed):
            seen.append(f"{r.status} {r.request.method} {r.url}")

    def console(m) -> None:  # type: ignore[no-untyped-def]
        if m.type == "error" and not any(a in m.location.get("url", "") for a in allowed):
            seen.append(f"console {m.text}")

    page.on("console", console)
    page.on("pageerror", lambda e: seen.append(f"page {e}"))
    page.on("response", response)
    return seen


def proof_file(folder: Path) -> Path:
    """A scanned proof standing in for a marriage certificate or an engagement letter."""
    path = folder / "proof.png"
    path.write_bytes(base64.b64decode(proof_png()))
    return path


def facility(demo, code: str) -> dict:  # type: ignore[no-untyped-def, type-arg]
    token = demo.token("officer")
    listed = demo.call("GET", f"{VISITS}/facilities", token).json()
    return next(f for f in listed if f["code"] == code)


def utc(iso: str) -> datetime:
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone(UTC)
