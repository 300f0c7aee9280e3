"""Browser journeys: Playwright's sync API driving Debian's Chromium against pytest-django's live server.

Each test gets a fresh browser context (no cookies) in Chinese, as a bank's staff use it. Tests that use
`live_server` are transactional, so the database is emptied after each one: they request `demo`, which
loads the demo bank again. A failed test leaves a screenshot in test-results/.
"""

import os
import re
import threading
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; Django would refuse its ORM calls here.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

# Debian's Chromium; YINGJI_CHROMIUM names another build.
CHROMIUM = Path(os.environ.get("YINGJI_CHROMIUM", "/usr/bin/chromium"))
RESULTS = Path(__file__).resolve().parents[2] / "test-results"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


_ONE_REQUEST = threading.Lock()


def _serialised_server(create):
    """The live server's threads share the test's in-memory SQLite connection, and two requests at once
    (a page and its htmx badge) can break it ("bad parameter or other API misuse"). On SQLite the
    requests take turns; the server keeps its threads, so an idle connection Chromium opens ahead of
    time cannot block the next request. PostgreSQL keeps real concurrency."""

    def create_server(self, connections_override=None):
        server = create(self, connections_override=connections_override)
        set_app = server.set_app

        def set_serialised_app(app):
            def serialised(environ, start_response):
                with _ONE_REQUEST:
                    return app(environ, start_response)

            set_app(serialised)

        server.set_app = set_serialised_app
        return server

    return create_server


def pytest_configure(config):
    from django.conf import settings
    from django.test.testcases import LiveServerThread

    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        LiveServerThread._create_server = _serialised_server(LiveServerThread._create_server)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing: apt-get install chromium fonts-noto-cjk"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def viewport() -> dict[str, int]:
    return {"width": 1280, "height": 800}


@pytest.fixture
def page(request, browser, live_server, demo, viewport):
    """A new tab in a fresh context. Uncaught script errors and CSP violations fail the test."""
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", viewport=viewport)
    context.set_default_timeout(15_000)
    tab = context.new_page()
    problems: list[str] = []
    tab.on("pageerror", lambda exc: problems.append(f"script error: {exc}"))
    tab.on(
        "console",
        lambda msg: (
            problems.append(f"console: {msg.text}")
            if msg.type == "error" and "Content Security Policy" in msg.text
            else None
        ),
    )
    yield tab
    failed = getattr(request.node, "report_call", None)
    if failed is not None and failed.failed:
        RESULTS.mkdir(exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.nodeid)
        tab.screenshot(path=str(RESULTS / f"{name}.png"), full_page=True)
    context.close()
    assert not problems, problems


def log_in(page, username: str, password: str):
    """Fill the real login form and submit it; returns the response of the page that follows."""
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation() as navigation:
        page.locator("main form button[type=submit]").click()
    return navigation.value


def the_worker_runs(queue: str = "*") -> int:
    """What `db_worker` does within a second in production: run the jobs that are due. Taking turns with
    the live server's requests, as they take turns with each other on SQLite."""
    from yingji.core.testing import run_jobs

    with _ONE_REQUEST:
        return run_jobs(queue=queue)


def sign_out(page) -> None:
    """Hand the phone to the next person. The page is left first, once its own requests (the bell's
    badge) are answered: one still in flight could otherwise set the old session's cookie again after
    the cookies are cleared, and the next person would act as the last one."""
    page.wait_for_load_state("networkidle")
    page.goto("about:blank")
    page.context.clear_cookies()
