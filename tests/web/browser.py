"""Steps every browser test takes: a page at the screenshot scale, logging in."""

from __future__ import annotations

SCALE = 0.6  # screenshots at 60 %: small PNGs for the artifacts and docs/screenshots


def new_page(browser, width: int = 1400, height: int = 860):  # type: ignore[no-untyped-def]
    return browser.new_page(viewport={"width": width, "height": height}, device_scale_factor=SCALE)


def login(page, demo, username: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(demo.url + "/")
    page.fill("#login-form input[name=username]", username)
    page.fill("#login-form input[name=password]", demo.passwords[username])
    page.click("#login-form button[type=submit]")
    page.wait_for_selector("#nav a")
