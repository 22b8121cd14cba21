"""Steps every browser test takes: a page at the screenshot scale, logging in."""

from __future__ import annotations

import time

SCALE = 0.6  # screenshots at 60 %: small PNGs for the artifacts and docs/screenshots


def new_page(browser, width: int = 1400, height: int = 860, **context):  # type: ignore[no-untyped-def]
    """A page in a context of its own; `context` takes Playwright's options (bypass_csp=…)."""
    return browser.new_page(
        viewport={"width": width, "height": height}, device_scale_factor=SCALE, **context
    )


def login(page, demo, username: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(demo.url + "/")
    page.fill("#login-form input[name=username]", username)
    page.fill("#login-form input[name=password]", demo.passwords[username])
    page.click("#login-form button[type=submit]")
    page.wait_for_selector("#nav a")


def wait_until(page, expression: str, arg=None, timeout: float = 30_000):  # type: ignore[no-untyped-def]
    """page.wait_for_function, without its eval: its predicate is compiled in the page, which
    the Content-Security-Policy (no 'unsafe-eval') refuses; page.evaluate is not held to it."""
    deadline = time.monotonic() + timeout / 1000
    while not (value := page.evaluate(expression, arg)):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout:.0f} ms: {expression}")
        page.wait_for_timeout(100)
    return value
