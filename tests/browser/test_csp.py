"""Every attendee page and the main staff pages work under the strict Content Security Policy:
real Chromium, no CSP violation (reported by the ``securitypolicyviolation`` event or a
"Refused to ..." console message) and no JavaScript error, including after the interactions
that swap HTML in with htmx."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.hardening_pages import (
    ATTENDEE_PAGES,
    STAFF_PAGES,
    seed,
    settle,
    sign_in_attendee,
    sign_in_staff,
    url,
)

pytestmark = pytest.mark.browser

RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__csp.push(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'} `
                    + `at ${e.sourceFile}:${e.lineNumber}`);
});
"""


class Watch:
    """Collects CSP violations, CSP console messages and page errors of one browser context."""

    def __init__(self, context):
        self.problems: list[str] = []
        context.add_init_script(RECORD_VIOLATIONS)
        context.on("page", self.attach)

    def attach(self, page):
        page.on("console", lambda m: self.problems.append(f"console: {m.text}")
                if "Refused to" in m.text or "Content Security Policy" in m.text else None)
        page.on("pageerror", lambda e: self.problems.append(f"pageerror: {e}"))

    def collect(self, page, where: str) -> None:
        for violation in page.evaluate("window.__csp || []"):
            self.problems.append(f"{where}: {violation}")
        page.evaluate("window.__csp = []")

    def assert_clean(self):
        assert not self.problems, "\n".join(self.problems)


def visit(page, watch, live_server, world, name, path):
    response = page.goto(url(live_server, world, path))
    assert response.status == 200, f"{name}: {response.status}"
    csp = response.headers["content-security-policy"]
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
    settle(page)
    watch.collect(page, name)


def test_attendee_pages_work_under_the_csp(live_server, new_context):
    world = seed(live_server)
    context = new_context(phone=True)
    watch = Watch(context)
    page = context.new_page()

    # Registration, its error state, and the confirmation, as a new visitor.
    page.goto(url(live_server, world, "/e/{slug}/register"))
    settle(page)
    page.get_by_label("First name").fill("Zoë")
    page.get_by_label("Last name").fill("O'Brien")
    page.get_by_label("Email", exact=True).fill("not-an-email")
    page.get_by_label("District or organization").fill("Knox County Schools")
    page.get_by_label("State or province").fill("TN")
    page.get_by_label("Role").select_option("Principal")
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_text("Please enter a valid email address")).to_be_visible()
    watch.collect(page, "registration error state")
    page.get_by_label("Email", exact=True).fill("zoe@example.org")
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_role("heading", name="You're registered, Zoë!")).to_be_visible()
    settle(page)
    watch.collect(page, "confirmation")

    sign_in_attendee(page, live_server, world)
    for name, path in ATTENDEE_PAGES:
        visit(page, watch, live_server, world, name, path)

    # htmx swaps: join a breakout, then vote for a topic.
    page.goto(url(live_server, world, "/e/{slug}/breakouts"))
    settle(page)
    session = page.locator("article", has_text="Assessment redesign")
    session.get_by_role("button", name="Take a seat: Assessment redesign").click()
    expect(session).to_contain_text("You're in")
    watch.collect(page, "breakout sign-up")
    page.goto(url(live_server, world, "/e/{slug}/plan"))
    settle(page)
    field = page.locator("textarea").first
    field.fill("A pilot with two schools")
    expect(page.locator("#save-status")).to_have_text("All changes saved")
    watch.collect(page, "plan autosave")
    watch.assert_clean()


def test_staff_pages_work_under_the_csp(live_server, new_context):
    world = seed(live_server)
    context = new_context()
    watch = Watch(context)
    page = context.new_page()
    sign_in_staff(page, live_server, world.organizer)
    for name, path in STAFF_PAGES:
        visit(page, watch, live_server, world, name, path)

    # The desk: a name search swaps results in; checking someone in swaps the result panel.
    page.goto(url(live_server, world, "/admin/e/{slug}/checkin"))
    settle(page)
    page.get_by_label("Forgot the QR code? Find by name").fill("Okafor")
    page.get_by_role("button", name="Check in Amber Okafor").click()
    expect(page.locator("#result-panel")).to_contain_text("Amber Okafor")
    watch.collect(page, "desk check-in")
    watch.assert_clean()

    # The watch does see a violation: an inline style attribute is refused and reported.
    page.evaluate("document.body.insertAdjacentHTML('beforeend', '<p style=\"color:red\">x</p>')")
    page.wait_for_function("window.__csp.length > 0")
    watch.collect(page, "canary")
    assert any("style-src" in p for p in watch.problems), watch.problems


def test_the_csp_lets_in_the_htmx_file_of_the_cdn_and_nothing_else_there(live_server,
                                                                         new_context):
    """With the CDN reachable (its answers played from the vendored copy), htmx comes from the
    exact URL the policy names, with no fallback; another file of the same CDN is refused."""
    from summit import ROOT
    from summit.headers import HTMX_VERSION

    cdn_url = live_server.app.config["HTMX_CDN_URL"]
    origin = cdn_url.split("/npm/")[0]
    vendored = (ROOT / "static" / "vendor" / f"htmx-{HTMX_VERSION}.min.js").read_bytes()
    context = new_context()
    watch = Watch(context)
    served = []

    def cdn(route):
        served.append(route.request.url)
        route.fulfill(status=200, body=vendored, content_type="application/javascript",
                      headers={"Access-Control-Allow-Origin": "*"})

    context.route(f"{origin}/**", cdn)
    page = context.new_page()
    fallbacks = []
    page.on("request", lambda r: fallbacks.append(r.url) if "/static/vendor/htmx" in r.url
            else None)
    page.goto(f"{live_server.url}/")
    page.wait_for_function("() => !!window.htmx")
    watch.collect(page, "htmx from the CDN")
    assert served == [cdn_url] and fallbacks == []
    watch.assert_clean()

    other = f"{origin}/npm/something-else@1/dist/evil.js"
    outcome = page.evaluate("""(src) => new Promise((done) => {
        const script = document.createElement('script');
        script.onload = () => done('loaded');
        script.onerror = () => done('refused');
        script.src = src;
        document.head.appendChild(script);
    })""", other)
    violations = page.evaluate("() => window.__csp")
    assert outcome == "refused" and other not in served, (outcome, served)
    assert any("script-src" in v and "evil.js" in v for v in violations), violations
