"""Takes the README's console screenshots from a running `make run` (headless Chromium, Debian's package):
    .venv/bin/python scripts/screenshot_console.py [--url http://127.0.0.1:8080] [--wait 120]
It signs in with the dev login as op-dan (the collections call: a spoken date of birth, a late mini-Miranda,
a false threat) and writes docs/images/console-first-page.png once the call has run for --wait seconds."""

from __future__ import annotations

import argparse
import shutil
import time
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "docs" / "images" / "console-first-page.png"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", default="http://127.0.0.1:8080")
    parser.add_argument("--operator", default="op-dan")
    parser.add_argument("--wait", type=float, default=120.0, help="seconds of the call to let play first")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=shutil.which("chromium") or "/usr/bin/chromium",
                                             args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_context(viewport={"width": 1366, "height": 768}).new_page()
        page.goto(args.url)
        page.wait_for_selector("#dev-form", state="visible")
        page.select_option("#dev-role", "operator")
        page.fill("#dev-operator", args.operator)
        page.click("#dev-form button")
        page.wait_for_selector("#app", state="visible")
        time.sleep(args.wait)
        page.screenshot(path=str(args.out))
        browser.close()
    print(args.out)


if __name__ == "__main__":
    main()
