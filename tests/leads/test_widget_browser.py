"""The widget and the iframe on another site, in a real Chromium: a landing page on a second
origin (another port on 127.0.0.1) embeds the form, a visitor sends it, and the lead carries
the same proof as one sent through our own page; a site not allowed gets nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from leads.models import LandingForm, Lead
from leads.widget import iframe_snippet, widget_snippet
from privacy.consent.models import ConsentRecord
from privacy.people.models import Purpose
from tests.support.forms import table_counts
from tests.support.servers import app_server, host_site

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

SCREENSHOTS = Path(__file__).resolve().parents[1] / "screenshots"
# What proves which texts a person accepted, column by column of a consent record.
PROOF = (
    "policy_version_id",
    "policy_sha256",
    "consent_version_id",
    "consent_sha256",
    "wording_id",
    "language",
)
# A landing page whose own CSS would hide or wreck any form it reached.
HOSTILE_CSS = (
    "<style>label{display:none!important}input{width:3px!important;color:transparent!important}"
    "button{visibility:hidden!important}*{font-size:4px!important}</style>"
)


@pytest.fixture
def app(settings, published_documents):
    with app_server() as url:
        settings.SITE_URL = url
        yield url


@pytest.fixture
def partner():
    with host_site() as site:
        yield site


@pytest.fixture
def stranger():
    with host_site() as site:
        yield site


@pytest.fixture
def promo(partner) -> LandingForm:
    return LandingForm.objects.create(
        slug="promo",
        name="Spring promo",
        allowed_origins=partner.url,
        thank_you_message="Спасибо! Мы позвоним.",
    )


@pytest.fixture
def ru_page(browser):
    context = browser.new_context(locale="ru-RU")
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.errors = errors
    yield page
    context.close()


def _landing_page(body: str, lang: str = "ru") -> str:
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>Partner</title>'
        f"{HOSTILE_CSS}</head><body><h1>Partner landing</h1>{body}</body></html>"
    )


def _proof(lead: Lead) -> dict[str, tuple]:
    records = ConsentRecord.objects.filter(source__startswith=f"lead:{lead.public_id}")
    return {r.purpose: tuple(getattr(r, column) for column in PROOF) for r in records}


def test_a_widget_lead_carries_the_same_proof_as_one_from_our_page(
    app, partner, promo, ru_page
):
    page = ru_page
    partner.html = _landing_page(widget_snippet(promo))
    page.goto(partner.url + "/spring/?utm_source=vk")

    name = page.get_by_label("Название аккаунта")
    name.wait_for()
    page.screenshot(path=str(SCREENSHOTS / "widget-on-partner.png"), full_page=True)
    # The host's CSS does not reach the form: labels show, fields are usable.
    assert name.is_visible() and name.bounding_box()["width"] > 100
    boxes = page.get_by_role("checkbox")
    assert boxes.count() == 3
    assert all(not boxes.nth(n).is_checked() for n in range(3))
    link = page.get_by_role("link", name="Политика конфиденциальности, редакция 1")
    assert link.get_attribute("href") == f"{app}/privacy/versions/1/?lang=ru"

    # A mistake first: the error sits beside its field, which is marked invalid and focused.
    name.fill("Ромашка")
    page.get_by_label("Контактный телефон").fill("12")
    page.get_by_label("Электронная почта").fill("anna@example.com")
    page.get_by_role("button", name="Отправить").click()
    phone = page.get_by_label("Контактный телефон")
    page.wait_for_function(
        "() => document.querySelector('.leadgen-form').shadowRoot"
        ".querySelector('[aria-invalid=true]') !== null"
    )
    assert phone.get_attribute("aria-invalid") == "true"
    assert page.get_by_text("Введите правильный номер телефона").is_visible()
    page.screenshot(path=str(SCREENSHOTS / "widget-error.png"), full_page=True)
    assert table_counts() == (0, 0, 0)

    phone.fill("+7 912 345-67-89")
    page.get_by_role("checkbox").first.check()
    page.get_by_role("checkbox").nth(1).check()  # marketing
    page.get_by_role("button", name="Отправить").click()
    page.get_by_text("Спасибо! Мы позвоним.").wait_for()
    page.screenshot(path=str(SCREENSHOTS / "widget-thanks.png"), full_page=True)
    assert page.errors == []

    widget_lead = Lead.objects.get()
    assert (widget_lead.channel, widget_lead.origin) == ("widget", partner.url)
    assert widget_lead.page_url == f"{partner.url}/spring/?utm_source=vk"
    assert widget_lead.utm_source == "vk" and widget_lead.language == "ru"
    assert set(ConsentRecord.objects.values_list("method", flat=True)) == {"widget"}

    # The same person's submission through our own page, in the same language.
    page.goto(app + "/")
    page.get_by_label("Название аккаунта").fill("Ромашка")
    page.get_by_label("Контактный телефон").fill("+7 912 345-67-89")
    page.get_by_label("Электронная почта").fill("anna@example.com")
    page.get_by_role("checkbox").first.check()
    page.get_by_role("checkbox").nth(1).check()
    page.get_by_role("button", name="Отправить").click()
    page.get_by_role("heading", name="Спасибо!").wait_for()
    own_lead = Lead.objects.exclude(pk=widget_lead.pk).get()

    widget_proof, own_proof = _proof(widget_lead), _proof(own_lead)
    assert set(widget_proof) == set(own_proof) == {
        Purpose.PROCESSING,
        Purpose.MARKETING,
        Purpose.ADVERTISING,
    }
    assert widget_proof == own_proof
    # In Russian: the hashes are those of the Russian texts the visitor read.
    assert {proof[-1] for proof in widget_proof.values()} == {"ru"}


def test_the_widget_works_with_the_keyboard_alone(app, partner, promo, ru_page):
    page = ru_page
    partner.html = _landing_page(widget_snippet(promo), lang="en")
    page.goto(partner.url + "/")
    page.get_by_label("Account name").wait_for()

    page.keyboard.press("Tab")  # from the page into the widget's first field
    page.keyboard.type("Keyboard Co")
    page.keyboard.press("Tab")
    page.keyboard.type("+7 912 345 67 89")
    page.keyboard.press("Tab")
    page.keyboard.type("keys@example.com")
    page.keyboard.press("Tab")
    page.keyboard.press("Space")  # the consent to processing
    page.keyboard.press("Enter")

    page.get_by_text("Спасибо! Мы позвоним.").wait_for()
    assert Lead.objects.get().account_name == "Keyboard Co"


def test_a_site_not_allowed_cannot_load_the_form_or_submit(app, stranger, promo, ru_page):
    page = ru_page
    stranger.html = _landing_page(widget_snippet(promo))
    page.goto(stranger.url + "/")

    page.get_by_role("alert").wait_for()
    page.screenshot(path=str(SCREENSHOTS / "widget-refused.png"), full_page=True)
    assert page.locator(".leadgen-form").locator("input").count() == 0
    # Not even a hand-made request: CORS keeps the answer from the page, and the server
    # refuses the origin before it reads anything.
    outcome = page.evaluate(
        """async (url) => {
            try {
                const r = await fetch(url, {method: "POST", headers: {"Content-Type":
                    "application/json"}, body: JSON.stringify({token: "x", account_name: "A",
                    phone: "+79123456789", email: "a@example.com", consent_processing: true})});
                return "read " + r.status;
            } catch (e) { return "blocked"; }
        }""",
        f"{app}/api/v1/forms/promo/submissions/",
    )
    assert outcome == "blocked"
    assert table_counts() == (0, 0, 0)


def test_the_iframe_works_on_an_allowed_site_and_not_elsewhere(
    app, partner, stranger, promo, ru_page
):
    page = ru_page
    partner.html = _landing_page(iframe_snippet(promo).replace("?lang=en", "?lang=ru"))
    page.goto(partner.url + "/autumn/")
    frame = page.frame_locator("iframe")
    frame.get_by_label("Название аккаунта").fill("Рамка")
    frame.get_by_label("Контактный телефон").fill("+7 912 345-67-89")
    frame.get_by_label("Электронная почта").fill("frame@example.com")
    frame.get_by_role("checkbox").first.check()
    frame.get_by_role("button", name="Отправить").click()
    frame.get_by_text("Спасибо! Мы позвоним.").wait_for()
    page.screenshot(path=str(SCREENSHOTS / "iframe-thanks.png"), full_page=True)
    lead = Lead.objects.get()
    assert (lead.channel, lead.origin) == ("widget", partner.url)
    assert lead.page_url == f"{partner.url}/autumn/"

    stranger.html = _landing_page(iframe_snippet(promo))
    page.goto(stranger.url + "/")
    page.wait_for_load_state("load")
    assert page.frame_locator("iframe").get_by_label("Account name").count() == 0
    assert Lead.objects.count() == 1


def test_the_widget_takes_the_visitor_to_the_forms_thank_you_page(app, partner, promo, ru_page):
    page = ru_page
    promo.thank_you_url = f"{partner.url}/thank-you/"
    promo.save()
    partner.html = _landing_page(widget_snippet(promo), lang="en")
    page.goto(partner.url + "/")

    page.get_by_label("Account name").fill("Redirect Co")
    page.get_by_label("Contact phone").fill("+7 912 345 67 89")
    page.get_by_label("E-mail").fill("redirect@example.com")
    page.get_by_role("checkbox").first.check()
    page.get_by_role("button", name="Send").click()

    page.wait_for_url(f"{partner.url}/thank-you/")
    assert Lead.objects.get().account_name == "Redirect Co"


@pytest.mark.parametrize("width", [390, 1366])
def test_the_widget_and_the_iframe_pass_axe_with_their_errors_showing(
    app, partner, promo, browser, width
):
    from tests.leadgen.test_accessibility import FAILING_IMPACTS, axe_source

    context = browser.new_context(locale="ru-RU", viewport={"width": width, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    partner.html = _landing_page(widget_snippet(promo))
    page.goto(partner.url + "/")
    page.get_by_role("button", name="Отправить").click()  # every error showing
    page.get_by_text("Пожалуйста, исправьте ошибки ниже.").wait_for()
    widget = _axe(page, axe_source())
    page.screenshot(path=str(SCREENSHOTS / f"widget-axe-{width}.png"), full_page=True)

    page.goto(f"{app}/embed/promo/?lang=ru", referer=f"{partner.url}/")
    page.get_by_role("button", name="Отправить").click()
    page.get_by_label("Название аккаунта").wait_for()
    frame = _axe(page, axe_source())
    page.screenshot(path=str(SCREENSHOTS / f"iframe-axe-{width}.png"), full_page=True)
    context.close()

    for checked in (widget, frame):
        assert [v for v in checked["violations"] if v["impact"] in FAILING_IMPACTS] == []
        assert checked["overflow"] <= 0, "nothing scrolls sideways"


def _axe(page, source: str) -> dict:
    page.evaluate(source)
    return page.evaluate(
        """async () => ({
            violations: (await axe.run(document, {resultTypes: ["violations"]})).violations
                .map((v) => ({id: v.id, impact: v.impact, nodes: v.nodes.length})),
            overflow: document.documentElement.scrollWidth
                - document.documentElement.clientWidth,
        })"""
    )
