"""The built site in headless Chromium: the home page and the ``GoToTraining`` reference page
render with their headings, and the navigation between them works.

The site is served from a loopback HTTP server; Playwright drives the system's Chromium
(``$CHROMIUM``, else ``chromium`` / ``google-chrome`` on PATH; ``make browser`` installs
Debian's). Every request the pages make is recorded: one to anywhere but the local server
fails the test (and is never sent). Waits are Playwright's own (on events and DOM state),
never sleeps.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, Route, expect, sync_playwright

BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
# The flags that keep Chromium off the network on a closed machine (no update, sync or
# component checks) and working as root in a container.
CHROMIUM_ARGS = [
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
TIMEOUT_MS = 30_000
expect.set_options(timeout=TIMEOUT_MS)


def title(text: str) -> re.Pattern[str]:
    """A heading's text: the words, then the permalink sign mkdocs adds."""
    return re.compile(rf"^{re.escape(text)}\s*¶?$")


def find_browser() -> str:
    candidates = [os.environ.get("CHROMIUM", ""), *BROWSER_NAMES]
    for name in filter(None, candidates):
        path = shutil.which(name)
        if path:
            return path
    pytest.fail("no Chromium found: run `make browser` or set CHROMIUM=/path/to/chrome")


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def site_url(docs_site: Path) -> Iterator[str]:
    handler = functools.partial(_QuietHandler, directory=str(docs_site))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=find_browser(), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: Browser, site_url: str) -> Iterator[Page]:
    context = browser.new_context()
    context.set_default_timeout(TIMEOUT_MS)
    foreign: list[str] = []

    def only_local(route: Route) -> None:
        if route.request.url.startswith(site_url):
            route.continue_()
        else:
            foreign.append(route.request.url)
            route.abort()

    context.route("**/*", only_local)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert foreign == [], "the site tried to load from elsewhere"
    assert errors == [], "JavaScript errors on the page"


def test_home_page_renders_with_navigation(page: Page, site_url: str) -> None:
    page.goto(site_url)
    expect(page).to_have_title("gototraining")
    expect(page.locator("article h1")).to_have_text(title("gototraining"))
    expect(page.locator("article h2").first).to_have_text(title("Guides"))
    nav = page.locator("nav.md-nav--primary")
    for entry in ("Quickstart", "Testing your app", "GoToTraining", "Changelog"):
        expect(nav.get_by_role("link", name=entry, exact=True)).to_have_count(1)


def test_navigation_reaches_the_gototraining_reference_and_back(page: Page, site_url: str) -> None:
    page.goto(site_url)
    page.locator("nav.md-nav--primary").get_by_role("link", name="GoToTraining", exact=True).click()

    expect(page).to_have_url(f"{site_url}reference/client/")
    expect(page.locator("article h1")).to_have_text(title("GoToTraining"))
    # mkdocstrings headings: the class, its methods and namespaces, the async twin.
    for anchor in (
        "gototraining.GoToTraining",
        "gototraining.GoToTraining.close",
        "gototraining.GoToTraining.trainings",
        "gototraining.AsyncGoToTraining",
    ):
        expect(page.locator(f'[id="{anchor}"]')).to_be_visible()
    expect(page.locator("article")).to_contain_text("organizer_key")
    # The page's own table of contents links to the headings on it.
    toc = page.locator("nav.md-nav--secondary")
    expect(toc.get_by_role("link", name="AsyncGoToTraining")).to_have_count(1)
    # The current page is marked in the navigation.
    active = page.locator("nav.md-nav--primary a.md-nav__link--active")
    expect(active).to_have_text("GoToTraining")

    page.locator("nav.md-nav--primary").get_by_role("link", name="Home", exact=True).click()
    expect(page).to_have_url(site_url)
    expect(page.locator("article h1")).to_have_text(title("gototraining"))


def test_a_guide_links_into_the_reference(page: Page, site_url: str) -> None:
    page.goto(f"{site_url}reference/")
    page.locator("article").get_by_role("link", name="GoToTraining", exact=True).click()
    expect(page).to_have_url(f"{site_url}reference/client/")
    expect(page.locator("article h1")).to_have_text(title("GoToTraining"))
