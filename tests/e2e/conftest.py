"""Browser tests: Playwright for Python driving Debian's Chromium against pytest-django's live server.

The browser is Debian's package (`apt-get install chromium`), never one downloaded by
`playwright install`: CI machines have no internet. A missing browser fails the run, it never
skips it. Mark browser tests with `@pytest.mark.browser` and use the `page` fixture; its
`base_url` is the live server, so `page.goto("/opportunities/")` works.

On failure a full-page screenshot is written to $E2E_SCREENSHOT_DIR (default /tmp/e2e-shots). Set
E2E_STEP_SHOTS=<folder> to keep a screenshot of every step a test marks with `snapshot` (to review the UI).

Every page a browser test visits is checked for contrast (contrast.js): text under WCAG AA, 4.5:1
(3:1 for large text) against the background behind it, fails the test with a list of the offenders.
This holds for every browser context a test opens, through `page` or `browser.new_context()`.
"""

import os
import re
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.test import Client

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
STEP_SHOTS = os.environ.get("E2E_STEP_SHOTS")

# Short enough that a broken page fails in seconds; long enough for a 2-core CI machine running both databases'
# suites side by side, each with its own browser.
ACTION_TIMEOUT_MS = 15_000
NAVIGATION_TIMEOUT_MS = 30_000

CONTRAST_SCRIPT = Path(__file__).with_name("contrast.js")

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


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    # After the test's own steps and while its pages are still open: the contrast of every page it saw.
    result = yield
    watches = getattr(item, "contrast_watches", ())
    for watch in watches:
        watch.finish()
    failures = [failure for watch in watches for failure in watch.failures]
    if failures:
        pytest.fail(
            "Text below WCAG AA contrast (4.5:1, or 3:1 for large text):\n  " + "\n  ".join(failures), pytrace=False
        )
    return result


class ContrastWatch:
    """Every page of one browser context, checked for text under WCAG AA contrast.

    With JavaScript, contrast.js checks each page when it has loaded and after each htmx swap, and
    reports through a binding. Without JavaScript a page cannot call back, and a check started from
    here while the test goes on would race its next navigation: the pages on screen are checked when
    the test ends, and every other page the context loaded with a GET is opened again then and checked.

    `finish()` runs those last checks once: when the test has passed, or when it closes the context
    itself, whichever comes first.
    """

    def __init__(self, context, *, javascript: bool):
        self.context = context
        self.javascript = javascript
        self._failures: dict[tuple, str] = {}
        self._visited: dict[str, None] = {}
        self._finished = False
        close = context.close

        def close_when_finished(*args, **kwargs):
            self.finish()
            return close(*args, **kwargs)

        context.close = close_when_finished
        context.add_init_script(path=str(CONTRAST_SCRIPT))
        if javascript:
            context.expose_binding("__globalirReportContrast", self._report)
        else:
            context.on("response", self._remember)

    @property
    def failures(self) -> list[str]:
        return list(self._failures.values())

    def clear(self) -> None:
        self._failures.clear()

    def check(self, page) -> None:
        try:
            found = page.evaluate("window.__globalirContrast.offenders()")
        except Exception:  # the page or its context was closed by the test: nothing left to judge
            return
        self._record(page.url, found)

    def finish(self) -> None:
        if self._finished:
            return
        self._finished = True
        pages = [page for page in self.context.pages if page.url.startswith("http")]
        for page in pages:
            self.check(page)
        if self.javascript or not pages:
            return
        shown = {page.url for page in pages}
        again = self.context.new_page()
        for url in self._visited:
            if url not in shown:
                again.goto(url)
                self.check(again)
        again.close()

    def _remember(self, response) -> None:
        request = response.request
        if (
            request.method == "GET"
            and request.is_navigation_request()
            and request.frame.parent_frame is None
            and response.ok
            and response.headers.get("content-type", "").startswith("text/html")
        ):
            self._visited[response.url] = None

    def _report(self, source, payload) -> None:
        self._record(payload["url"], payload["offenders"])

    def _record(self, url: str, offenders: list[dict]) -> None:
        path = urlsplit(url)._replace(scheme="", netloc="").geturl()
        for offender in offenders:
            key = (path, offender["element"], offender["text"], offender["ratio"])
            self._failures.setdefault(
                key,
                f"{path}: <{offender['element']}> “{offender['text']}” {offender['ratio']}:1 "
                f"({offender['foreground']} on {offender['background']}, needs {offender['needed']}:1)",
            )


@pytest.fixture(autouse=True)
def contrast_watches(request, monkeypatch):
    """The contrast watches of the browser contexts this test opens (see ContrastWatch)."""
    from playwright.sync_api import Browser

    watches = []
    new_context = Browser.new_context

    def new_watched_context(self, *args, **kwargs):
        context = new_context(self, *args, **kwargs)
        watches.append(ContrastWatch(context, javascript=kwargs.get("java_script_enabled", True) is not False))
        return context

    monkeypatch.setattr(Browser, "new_context", new_watched_context)
    request.node.contrast_watches = watches
    return watches


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


def snapshot(page, name: str) -> None:
    """With E2E_STEP_SHOTS set, a full-page screenshot of this step, named after the window width and `name`."""
    if STEP_SHOTS:
        width = page.viewport_size["width"]
        Path(STEP_SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(STEP_SHOTS) / f"{width}px-{name}.png"), full_page=True)


def field(scope, label: str):
    """The form control labelled exactly `label` (Django adds a colon to most labels)."""
    return scope.get_by_label(re.compile(rf"^\s*{re.escape(label)}:?\s*$"))


def sign_in(page, live_server, user) -> None:
    """Give the browser a session of `user` (made by Django's test client)."""
    django_client = Client()
    django_client.force_login(user)
    page.context.clear_cookies()
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": django_client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )


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
