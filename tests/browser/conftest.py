"""Playwright driving Debian's Chromium (never a downloaded browser).

The CDN is unreachable on test machines (as on bad venue Wi-Fi), so every page must work from
the vendored copies in ``static/vendor``. Chromium is told that the CDN's name does not resolve
(``--host-resolver-rules``), so its requests fail at once, the way they do offline, and prove
the fallback, with no request interception on every test.

When a browser test fails, the report shows every request its pages made, with the answer or
the error, and the browser console (section "browser network"), so a failure seen once on CI
says whether the page sent what it should have.
"""

from __future__ import annotations

import os
import time
from urllib.parse import quote

import pytest

from tests.conftest import STAFF_PASSWORD

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-quic", "--no-first-run",
    "--host-resolver-rules=MAP cdn.jsdelivr.net ~NOTFOUND",
]
PHONE = {"width": 360, "height": 740}


# Every wait is on a condition; on a busy CI machine (two test workers, Chromium and two
# databases on two cores) a page can take more than Playwright's default 5 s to answer.
# ``expect()`` keeps its own timeout, apart from the contexts' (``new_context`` below).
WAIT_MS = 10_000


@pytest.fixture(scope="session")
def playwright_instance():
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=WAIT_MS)
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright_instance):
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}: run `make test` (installs it).")
    browser = playwright_instance.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


def record_traffic(context, log: list[str]) -> None:
    """Append a line to ``log`` for each request, answer, failure, console message and uncaught
    script error."""
    start = time.monotonic()

    def line(text: str) -> None:
        log.append(f"{time.monotonic() - start:7.2f}s {text}")

    # Only what the events carry: a handler that called back into the browser (such as
    # ``request.response()``) could fail once the context is closing.
    context.on("request", lambda r: line(f"-> {r.method} {r.url}"))
    context.on("response", lambda r: line(f"<- {r.request.method} {r.url} {r.status}"))
    context.on("requestfailed", lambda r: line(f"xx {r.method} {r.url} {r.failure}"))
    context.on("console", lambda m: line(f"console.{m.type}: {m.text}"))
    context.on("weberror", lambda e: line(f"uncaught: {e.error}"))


def htmx_settled(page) -> None:
    """Wait until htmx has no request in flight and has finished every swap.

    htmx wires up the hx-* attributes of swapped-in content in its settle step, about 20 ms
    after the swap; a click on a new button before then is an ordinary click (or nothing)."""
    page.wait_for_function(
        "() => window.htmx && !document.querySelector("
        "'.htmx-request, .htmx-swapping, .htmx-settling, .htmx-added')")


def sign_in(page, base: str, email: str, password: str = STAFF_PASSWORD,
            target: str = "/admin/") -> None:
    """Sign in with the login form, then wait until ``target`` has loaded.

    The wait is for the exact address: a glob such as ``"**" + target`` also matches the login
    page's own address (``/login?next=<target>``), and the test would go on while the sign-in
    and the next page were still loading.
    """
    page.goto(f"{base}/login?next={quote(target)}")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(base + target)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    log = getattr(item, "browser_traffic", None)
    if report.when == "call" and report.failed and log:
        report.sections.append(("browser network", "\n".join(log[-200:])))
    return report


@pytest.fixture
def new_context(browser, request):
    """Make browser contexts (a laptop by default, ``phone=True`` for 360 px); closed after."""
    contexts = []
    traffic: list[str] = []
    request.node.browser_traffic = traffic

    def factory(phone: bool = False, **options):
        if phone:
            options.setdefault("viewport", PHONE)
            options.setdefault("is_mobile", True)
            options.setdefault("has_touch", True)
        context = browser.new_context(**options)
        context.set_default_timeout(WAIT_MS)
        record_traffic(context, traffic)
        contexts.append(context)
        return context

    yield factory
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context):
    return new_context().new_page()


@pytest.fixture
def phone_page(new_context):
    return new_context(phone=True).new_page()
