"""Every public page, in both languages, on a phone (390 px) and a laptop (1366 px): axe-core
finds no serious or critical violation and nothing scrolls sideways. Screenshots for people to
look at go to tests/screenshots/ (git-ignored).

axe-core comes from the npm registry (package.json; `make test` installs it into
node_modules). It is evaluated in the page through the DevTools protocol, which the site's
strict CSP (no inline scripts) does not block, so each page is checked under its real policy.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from leads.models import Lead
from privacy.consent.models import ConsentReceipt
from privacy.documents.models import DocumentKind
from privacy.people.links import CONFIRM_CONSENT, RECONSENT, UNSUBSCRIBE
from privacy.people.models import Person
from tests.support.documents import publish
from tests.support.mail import link_in, mails_to, send_outbox

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "tests" / "screenshots"
WIDTHS = {"phone": 390, "laptop": 1366}
FAILING_IMPACTS = {"serious", "critical"}


@dataclass(frozen=True)
class Checked:
    name: str
    url: str
    violations: list[dict]
    overflow: int  # CSS pixels the page is wider than the window
    lang: str  # the page's own language (<html lang>)


def axe_source() -> str:
    if not AXE.exists():
        pytest.fail(f"axe-core is missing ({AXE}): run `make test`, or `npm ci`, to install it.")
    return AXE.read_text()


def check(page, name: str, *, language: str, width: str) -> Checked:
    """Run axe on the page as it is now; measure sideways scrolling; take a screenshot."""
    page.wait_for_load_state("load")
    page.evaluate(axe_source())
    result = page.evaluate(
        """async () => {
            const results = await axe.run(document, {resultTypes: ["violations"]});
            return results.violations.map((v) => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ")),
            }));
        }"""
    )
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{language}-{width}-{name}.png", full_page=True)
    return Checked(
        name,
        page.url,
        [v for v in result if v["impact"] in FAILING_IMPACTS],
        overflow,
        page.locator("html").get_attribute("lang") or "",
    )


@pytest.fixture
def site(live_server, published_documents, settings, client, submit, valid_data):
    """Everything a visitor can reach: a second policy version (for a diff), a submission and
    its receipt, an answered access request, and the links e-mails carry."""
    settings.STANDIN_SCRIPTS = True  # the banner shows, as in the demo
    publish("## 1. Terms\n\nA second version.\n", summary="Shorter.")
    submit({**valid_data, "consent_marketing": "on"})
    lead = Lead.objects.get()
    receipt = ConsentReceipt.objects.get()
    person = Person.objects.get()
    client.post("/privacy/requests/", {"kind": "access", "email": valid_data["email"]})
    send_outbox()
    confirm = link_in(mails_to(valid_data["email"])[-1])
    return {
        "lead": lead,
        "receipt": receipt,
        "confirm": confirm,
        "links": {
            "unsubscribe": UNSUBSCRIBE.path(p=person.pk, u="marketing"),
            "double-opt-in": CONFIRM_CONSENT.path(p=person.pk, u=["marketing"], m=1),
            "reconsent": RECONSENT.path(
                p=person.pk,
                u=["marketing"],
                v=published_documents[DocumentKind.PRIVACY_POLICY].pk,
            ),
        },
    }


def visit_every_public_page(page, base: str, site: dict, *, language: str, width: str):
    def at(name: str, path: str) -> Checked:
        page.goto(base + path)
        return check(page, name, language=language, width=width)

    checked = [
        at("home-with-cookie-banner", "/"),
        at("privacy-policy", "/privacy/"),
        at("policy-versions", "/privacy/versions/"),
        at("policy-version-1", "/privacy/versions/1/"),
        at("policy-diff", "/privacy/versions/2/diff/1/"),
        at("consent-text", "/privacy/consents/consent_processing/"),
        at("cookies", "/privacy/cookies/"),
        at("thank-you", site["lead"].get_absolute_url()),
        at("receipt", site["receipt"].get_absolute_url()),
        at("rights-request-form", "/privacy/requests/"),
        at("rights-request-sent", "/privacy/requests/sent/"),
        at("invalid-link", "/privacy/unsubscribe/forged/"),
        *(at(name, path) for name, path in site["links"].items()),
    ]
    # The form with its errors: the phone hint and the error are announced with the field.
    page.goto(base + "/")
    page.locator("#id_phone").fill("12")
    page.locator("button.primary").click()
    checked.append(check(page, "home-form-errors", language=language, width=width))
    assert "id_phone_helptext" in (page.locator("#id_phone").get_attribute("aria-describedby"))
    assert page.locator("#id_phone_helptext").count() == 1
    # A rights request confirmed by its link, its own page, then the copy of the data.
    checked.append(at("rights-request-confirm", site["confirm"]))
    page.locator("form button").last.click()
    checked.append(check(page, "rights-request-page", language=language, width=width))
    export = page.locator("a[href*='/privacy/requests/export/']")
    if export.count():
        export.first.click()
        checked.append(check(page, "data-export", language=language, width=width))
    return checked


@pytest.mark.parametrize("width", list(WIDTHS))
@pytest.mark.parametrize("language", ["en", "ru"])
def test_every_public_page_passes_axe_and_fits_the_screen(
    browser, live_server, site, language, width
):
    context = browser.new_context(
        locale="ru-RU" if language == "ru" else "en-US",
        viewport={"width": WIDTHS[width], "height": 844 if width == "phone" else 900},
    )
    context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        checked = visit_every_public_page(
            page, live_server.url, site, language=language, width=width
        )
    finally:
        context.close()

    assert len(checked) >= 19
    assert {c.name: c.lang for c in checked if c.lang != language} == {}
    assert [c.name for c in checked if "export" in c.name], "the data export page was checked"
    problems = {c.name: c.violations for c in checked if c.violations}
    assert problems == {}, json.dumps(problems, indent=2, ensure_ascii=False)
    wide = {c.name: c.overflow for c in checked if c.overflow > 0}
    assert wide == {}, f"pages wider than {WIDTHS[width]} px (by px): {wide}"
