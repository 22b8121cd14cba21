"""A real `pingan demo` server and headless Chromium (Debian's, driven by Playwright)."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.conftest import service_unavailable

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Demo:
    url: str
    passwords: dict[str, str]
    data_dir: Path  # the demo's store: its files (e.g. the SMS outbox) are read by tests

    def token(self, username: str) -> str:
        r = httpx.post(
            f"{self.url}/api/v1/auth/login",
            json={"username": username, "password": self.passwords[username]},
        )
        r.raise_for_status()
        return r.json()["access_token"]

    def call(self, method: str, path: str, token: str, **kw) -> httpx.Response:  # type: ignore[no-untyped-def]
        return httpx.request(
            method, f"{self.url}/api/v1{path}", headers={"Authorization": f"Bearer {token}"}, **kw
        )


@contextmanager
def running_demo(data: Path) -> Iterator[Demo]:
    """`pingan demo` with the simulated day live, its dispatcher left to the test."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PINGAN_")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "pingan.cli", "demo", "--data-dir", str(data), "--port", str(port),
         "--no-auto-dispatch", "--rewind-minutes", "5", "--tick", "1", "--fleet", "small"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    passwords: dict[str, str] = {}
    try:
        deadline = time.monotonic() + 60
        assert proc.stdout is not None
        for line in proc.stdout:
            m = re.match(r"^\s+(\w+)\s+\w+\s+(\S+)$", line)
            if m:
                passwords[m.group(1)] = m.group(2)
            # the "open URL" line, in either language
            if "/api/docs" in line or time.monotonic() > deadline:
                break
        # keep reading the server's log, or its pipe fills and the server blocks mid-test
        threading.Thread(target=proc.stdout.read, daemon=True).start()
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}/healthz").status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            pytest.fail("demo server did not come up")
        yield Demo(url, passwords, data)
    finally:
        proc.terminate()
        try:
            proc.wait(3)  # open event streams keep uvicorn waiting; nothing to save here
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    """One demo server for the browser tests that share it."""
    with running_demo(tmp_path_factory.mktemp("demo")) as d:
        yield d


@pytest.fixture(scope="session")
def playwright_driver() -> Iterator[object]:
    """One Playwright driver per test process: Playwright refuses a second sync driver in a
    process while the first runs, so tests that launch browsers of their own use this one."""
    if not CHROMIUM.exists():
        service_unavailable("Chromium", "/usr/bin/chromium missing (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright_driver) -> Iterator[object]:  # type: ignore[no-untyped-def]
    """Debian's Chromium (no browser downloaded), headless, shared by the browser tests."""
    b = playwright_driver.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
    try:
        yield b
    finally:
        b.close()


@pytest.fixture(scope="session")
def shots() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
