"""A real video visit in three headless Chromium instances with fake cameras and microphones,
against a real `pingan serve`: the visitor and the terminal see each other's frames, the
monitor sees both sides of the family call and is refused on the lawyer's call, and the
terminal's recording of the family call arrives hashed and signed and verifies."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from pingan.auth import service as auth_service
from pingan.auth.actor import Actor
from pingan.auth.roles import Role
from pingan.config import Settings
from pingan.db.base import utcnow
from pingan.store import open_store
from tests.conftest import TEST_PASSWORD
from tests.visits import call_rows
from tests.web.browser import new_page, wait_until
from tests.web.conftest import CHROMIUM, Demo, _free_port

pytestmark = pytest.mark.timeout(240)

MEDIA_FLAGS = [
    "--no-sandbox",
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
    "--autoplay-policy=no-user-gesture-required",
    "--disable-features=WebRtcHideLocalIpsWithMdns",  # host candidates, not .local names
]
USERS = {
    "visitor": Role.CITIZEN,
    "counsel": Role.LAWYER,
    "guard": Role.OFFICER,
    "watch": Role.COMMANDER,
}
AUDITOR = "checker"


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PINGAN_")}
    src = str(Path(__file__).resolve().parents[2] / "src")
    env["PYTHONPATH"] = os.pathsep.join([src, env.get("PYTHONPATH", "")])
    return env


def _prepare(data: Path) -> call_rows.CallRows:
    """A fresh store (`pingan db upgrade` in its own process), the accounts and the bookings:
    a family call and a lawyer's call that began a minute ago, both visitors verified again."""
    subprocess.run(
        [sys.executable, "-m", "pingan.cli", "db", "upgrade", "--data-dir", str(data)],
        check=True, env=_env(), capture_output=True,
    )  # fmt: skip
    db, vault = open_store(Settings(data_dir=data))
    try:
        ids = {}
        with db.session() as s:
            for name, role in [*USERS.items(), (AUDITOR, Role.AUDITOR)]:
                user = auth_service.create_user(
                    s, Actor.system("test"), vault, username=name, password=TEST_PASSWORD,
                    role=role, phone="13800138000",
                )  # fmt: skip
                ids[name] = user.id
        now = utcnow()
        with db.session() as s:
            return call_rows.make(
                s, vault, family_user=ids["visitor"], lawyer_user=ids["counsel"],
                start=now - timedelta(minutes=1), fresh_at=now - timedelta(minutes=2),
            )  # fmt: skip
    finally:
        db.dispose()


@contextmanager
def serving(data: Path) -> Iterator[Demo]:
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "pingan.cli", "serve", "--data-dir", str(data), "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=_env(),
    )  # fmt: skip
    assert proc.stdout is not None
    threading.Thread(target=proc.stdout.read, daemon=True).start()  # keep the pipe drained
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}/healthz").status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            pytest.fail("server did not come up")
        passwords = dict.fromkeys([*USERS, AUDITOR], TEST_PASSWORD)
        yield Demo(url, passwords, data)
    finally:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()


def _open_call(browser, server: Demo, username: str, hash_: str):  # type: ignore[no-untyped-def]
    page = new_page(browser, 1200, 900)
    page.goto(server.url + "/")
    page.fill("#login-form input[name=username]", username)
    page.fill("#login-form input[name=password]", server.passwords[username])
    page.click("#login-form button[type=submit]")
    page.wait_for_selector("#logout:not([hidden])")
    page.evaluate("(h) => { location.hash = h; }", hash_)
    return page


def _frames(page, side: str) -> bool:  # type: ignore[no-untyped-def]
    """Wait until more than a few video frames from `side` were decoded (getStats)."""
    expression = "(s) => window.pinganVisitCall.frames().then((f) => (f[s] || 0) > 5)"
    return bool(wait_until(page, expression, side, timeout=45_000))


def test_a_family_call_a_monitor_and_a_lawyers_call(
    tmp_path: Path, shots: Path, playwright_driver
) -> None:  # type: ignore[no-untyped-def]
    p = playwright_driver
    rows = _prepare(tmp_path / "data")
    with serving(tmp_path / "data") as server, ExitStack() as stack:

        def chromium():  # type: ignore[no-untyped-def]
            b = p.chromium.launch(executable_path=str(CHROMIUM), args=MEDIA_FLAGS)
            stack.callback(b.close)
            return b

        family = f"#visitcall/{rows.family_booking}"
        terminal = _open_call(chromium(), server, "guard", family)
        visitor = _open_call(chromium(), server, "visitor", family)
        # both sides see the other's frames
        assert _frames(visitor, "terminal") and _frames(terminal, "visitor")
        assert "会见进行中" in visitor.text_content("#vc-status")
        assert "王*明" in visitor.text_content("#vc-who")
        # the monitor sees both sides; on the lawyer's call it is refused
        monitor_browser = chromium()
        monitor = _open_call(monitor_browser, server, "watch", family)
        assert _frames(monitor, "visitor") and _frames(monitor, "terminal")
        monitor.screenshot(path=str(shots / "visit-call-monitor.png"))
        lawyer = _open_call(monitor_browser, server, "watch", f"#visitcall/{rows.lawyer_booking}")
        wait_until(
            lawyer, "() => document.querySelector('#vc-status')?.textContent.includes('律师')"
        )
        assert "律师会见不得监听监看" in lawyer.text_content("#vc-status")
        assert lawyer.evaluate("document.querySelector('#vc-remote-a').srcObject") is None
        # a warning reaches the visitor as text
        monitor.fill("#vc-monitor input[name=note]", "<b>请勿谈论案情</b>")
        monitor.click("#vc-warn")
        wait_until(visitor, "() => !document.querySelector('#vc-warning').hidden")
        assert "<b>请勿谈论案情</b>" in visitor.text_content("#vc-warning")
        assert visitor.evaluate("document.querySelector('#vc-warning b')") is None
        visitor.screenshot(path=str(shots / "visit-call-visitor.png"))
        # in English the call's lines follow (the masked names stay as they are)
        visitor.click("#lang")
        wait_until(
            visitor, "() => document.querySelector('#vc-who').textContent.includes('Booking')"
        )
        assert visitor.text_content("#vc-status") == "The visit is on"
        assert "You are: visitor" in visitor.text_content("#vc-who")
        # the terminal ends the call; its recording is uploaded, hashed and signed
        terminal.wait_for_timeout(2000)  # a few seconds of call on the recording
        terminal.click("#vc-end")
        wait_until(terminal, "() => window.pinganVisitCall.recording() !== null", timeout=30_000)
        rec = terminal.evaluate("window.pinganVisitCall.recording()")
        assert "error" not in rec, rec
        assert rec["size_bytes"] > 10_000 and rec["signature"]["alg"] == "sm2"
        wait_until(visitor, "() => window.pinganVisitCall.status() === 'vc_st_ended_by'")
        token = server.token(AUDITOR)
        check = server.call("GET", f"/visits/recordings/{rec['id']}/verify", token).json()
        assert check["ok"] and check["sha256_ok"] and check["sm3_ok"], check
        stored = server.call("GET", f"/visits/recordings/{rec['id']}/file", token)
        assert stored.content[:4] == b"\x1a\x45\xdf\xa3"  # a WebM (EBML) file
