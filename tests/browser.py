"""The admin in a real browser: headless Debian Chromium, driven by Playwright."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect, sync_playwright
from pytest_django.live_server_helper import LiveServer

CHROMIUM = Path("/usr/bin/chromium")
# The password StaffUserFactory gives every account.
STAFF_PASSWORD = "staff-password"
TIMEOUT_MS = 15_000


@contextmanager
def logged_in_page(live_server: LiveServer, username: str) -> Iterator[Page]:
    """A headless Chromium page, logged in to the admin through its login form."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"Chromium is not installed at {CHROMIUM}; the browser tests need it. Install it "
            "with `apt-get install -y chromium` (.ci/run does so when it is missing)."
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.set_default_timeout(TIMEOUT_MS)
            page.goto(f"{live_server.url}/admin/login/")
            page.fill("#id_username", username)
            page.fill("#id_password", STAFF_PASSWORD)
            page.click("input[type=submit]")
            expect(page.locator("#user-tools")).to_contain_text(username)
            yield page
        finally:
            browser.close()
