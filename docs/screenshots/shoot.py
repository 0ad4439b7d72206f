"""Take the README's screenshots of a running demo (``./overstap start``, or any server with ``seed_demo``).

    python docs/screenshots/shoot.py [http://127.0.0.1:8000]

Uses Debian's Chromium (``CHROMIUM`` overrides /usr/bin/chromium) through Playwright, Dutch, light scheme.
"""

import os
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

HERE = Path(__file__).resolve().parent
PASSWORD = "overstap-demo"  # accounts.demo.DEMO_PASSWORD
SHOTS = [
    # file, demo login, path, element to wait for
    ("catalogue.png", "leerkracht@overstap.demo", "/courses/", "table"),
    ("match-run.png", "maatjes@overstap.demo", "/matching/runs/", "table"),
    ("fill-rate.png", "regio@overstap.demo", "/courses/organise/", "svg.chart"),
]


def main(base_url: str) -> None:
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"),
            headless=True,
            args=["--no-sandbox"],
        )
        for filename, email, path, ready in SHOTS:
            context = browser.new_context(
                base_url=base_url,
                locale="nl-NL",
                viewport={"width": 1280, "height": 860},
                color_scheme="light",
            )
            page = context.new_page()
            page.goto("/accounts/login/")
            page.locator("input[name=login]").fill(email)
            page.locator("input[name=password]").fill(PASSWORD)
            page.locator("form button[type=submit]").last.click()
            page.wait_for_url(lambda url: "/accounts/login" not in url)
            page.goto(path)
            if filename == "match-run.png":  # the latest run's review page, with the reasons per pair
                page.locator("table a").first.click()
            page.locator(ready).first.wait_for()
            page.screenshot(path=str(HERE / filename))
            print(HERE / filename)
            context.close()
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000")
