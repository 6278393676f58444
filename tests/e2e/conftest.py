"""Browser tests: Playwright for Python driving Debian's Chromium against pytest-django's live server.

The browser is Debian's package (`apt-get install chromium`), never one downloaded by
`playwright install`: CI machines have no internet. A missing browser fails the run, it never
skips it. Mark browser tests with `@pytest.mark.browser` and use the `page` fixture; its
`base_url` is the live server, so `page.goto("/opportunities/")` works.

On failure a full-page screenshot is written to $E2E_SCREENSHOT_DIR (default /tmp/e2e-shots).
"""

import os
import re
import tempfile
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    # Tests often run as root in containers, where Chromium's sandbox cannot start.
    "--no-sandbox",
    "--disable-gpu",
    # No internet here: no update checks, sync, or first-run calls that would only time out.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOT_DIR = Path(os.environ.get("E2E_SCREENSHOT_DIR") or Path(tempfile.gettempdir()) / "e2e-shots")

# Short enough that a broken page fails in seconds; long enough for a loaded 2-core CI machine.
ACTION_TIMEOUT_MS = 5_000
NAVIGATION_TIMEOUT_MS = 10_000

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Run the browser tests last.

    Playwright's sync API keeps an asyncio loop running in the main thread for as long as the
    session-scoped browser lives. Django then refuses ORM calls from that thread unless
    DJANGO_ALLOW_ASYNC_UNSAFE is set, and async_to_sync refuses to run at all. Running the browser
    tests after every other test keeps that state away from the rest of the suite.
    """
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None or "browser" in item.fixturenames)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    # Keep each phase's report on the test item so that the page fixture knows whether the test failed.
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.is_file() or not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"Browser tests need Debian's Chromium at {CHROMIUM}, which is missing. "
            "Install it with `apt-get install -y chromium` (.ci/run does this). "
            "`playwright install` cannot be used: it downloads browsers from the internet.",
            pytrace=False,
        )
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=ACTION_TIMEOUT_MS)

    with pytest.MonkeyPatch.context() as patch:
        # The test thread runs inside Playwright's event loop (see pytest_collection_modifyitems):
        # the test's own database calls (factories, the live server's flush) must still be allowed.
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
            yield chromium
            chromium.close()


@pytest.fixture(autouse=True)
def seeded_data(seeded_transactional_db):
    """Every browser test runs against the live server, on a seeded transactional database."""


@pytest.fixture
def plain_http_site(settings):
    """Let the site work over the live server's plain HTTP, as it does over HTTPS in production.

    With DEBUG off, session and CSRF cookies are `Secure`, and a browser only sends those back over
    HTTPS (Chromium's exception for localhost is not something to rely on): logging in would
    silently fail. allauth would also write https:// links in its e-mails, which the live server
    cannot answer. Overridden here, for browser tests only.
    """
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    settings.ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http"
    return settings


def _screenshot_name(nodeid: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", nodeid.split("::", 1)[-1])[:150] + ".png"


@pytest.fixture
def viewport(request):
    """The window size of the `page` fixture; parametrise it (`indirect=True`) to change it."""
    return getattr(request, "param", DESKTOP)


@pytest.fixture
def page(request, browser, live_server, plain_http_site, viewport):
    context = browser.new_context(base_url=live_server.url, viewport=viewport, locale="en-GB")
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    context.set_default_navigation_timeout(NAVIGATION_TIMEOUT_MS)
    page = context.new_page()
    try:
        yield page
    finally:
        report = getattr(request.node, "report_call", None)
        if report is not None and report.failed:
            SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
            path = SCREENSHOT_DIR / _screenshot_name(request.node.nodeid)
            try:
                page.screenshot(path=str(path), full_page=True)
            except Exception as error:  # a failed screenshot must not hide the test's own failure
                print(f"Could not save a screenshot of the failure: {error}")
            else:
                print(f"Screenshot of the failure: {path} (page: {page.url})")
        context.close()
