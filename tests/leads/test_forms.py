"""Forms as data: `/` shows the default form as configured; other forms live in an iframe; the
admin manages them and shows their statistics; lists filter leads by form."""

from __future__ import annotations

import re

import pytest

from leads.models import LandingForm, Lead, origin_normalise
from leads.widget import widget_integrity
from privacy.consent.models import ConsentRecord
from privacy.people.models import Purpose
from tests.leads.conftest import PROMO_ORIGIN
from tests.support.forms import form_token, table_counts

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("value", "origin"),
    [
        ("https://Promo.Example.com", "https://promo.example.com"),
        ("https://promo.example.com:443/", "https://promo.example.com"),
        ("http://127.0.0.1:8123", "http://127.0.0.1:8123"),
        ("https://promo.example.com/page", None),
        ("ftp://promo.example.com", None),
        ("promo.example.com", None),
        ("https://user:pw@promo.example.com", None),
        ("https://promo.example.com:99999", None),
    ],
)
def test_origins_are_read_as_browsers_send_them(value, origin):
    assert origin_normalise(value) == origin


def test_the_default_form_is_todays_page_and_its_settings_apply_at_slash(
    client, submit, valid_data, published_documents
):
    form = LandingForm.objects.default()
    form.advertising = LandingForm.Offer.ABSENT
    form.source_tag = "own-site"
    form.thank_you_url = "https://leadgen.example/welcome"
    form.save()

    html = client.get("/").text
    response = submit({**valid_data, "consent_advertising": "on"})

    assert 'name="consent_marketing"' in html and 'name="consent_advertising"' not in html
    assert response.status_code == 303
    assert response["Location"] == "https://leadgen.example/welcome"
    lead = Lead.objects.get()
    assert (lead.form, lead.channel, lead.source_tag) == (form, "web_form", "own-site")
    purposes = set(ConsentRecord.objects.values_list("purpose", flat=True))
    assert purposes == {Purpose.PROCESSING, Purpose.MARKETING}


def test_the_thank_you_page_shows_the_forms_message(submit, valid_data, client):
    form = LandingForm.objects.default()
    form.thank_you_message = "Our manager will call you within the hour."
    form.save()

    response = submit(valid_data)

    assert "Our manager will call you within the hour." in client.get(response["Location"]).text


def test_a_token_of_another_form_is_refused_at_slash(client, landing_form, valid_data):
    other_token = form_token(
        client.get("/embed/promo/", headers={"Referer": f"{PROMO_ORIGIN}/spring/"})
    )

    response = client.post("/", {**valid_data, "form_token": other_token})

    assert response.status_code == 409
    assert table_counts() == (0, 0, 0)


# -- The iframe ------------------------------------------------------------------------------


def test_the_iframe_is_framed_only_by_the_forms_origins(client, landing_form):
    response = client.get("/embed/promo/?lang=ru", headers={"Referer": f"{PROMO_ORIGIN}/spring/"})

    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    assert f"frame-ancestors {PROMO_ORIGIN}" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "X-Frame-Options" not in response
    assert 'lang="ru"' in response.text
    assert 'name="consent_advertising"' not in response.text
    assert "csrfmiddlewaretoken" not in response.text


@pytest.mark.parametrize(
    "headers", [{"Referer": "https://evil.example.net/"}, {}, {"Referer": "not a url"}]
)
def test_the_iframe_refuses_a_page_not_on_the_forms_sites(client, landing_form, headers):
    response = client.get("/embed/promo/", headers=headers)

    assert response.status_code == 403
    assert "This form cannot be shown here" in response.text
    assert f"frame-ancestors {PROMO_ORIGIN}" in response["Content-Security-Policy"]


def test_an_iframe_submission_is_a_widget_lead_with_the_host_page(
    client, landing_form, valid_data
):
    page = f"{PROMO_ORIGIN}/spring/?utm_source=tilda"
    token = form_token(client.get("/embed/promo/", headers={"Referer": page}))

    response = client.post("/embed/promo/", {**valid_data, "form_token": token})

    assert response.status_code == 303
    lead = Lead.objects.get()
    assert response["Location"] == f"/embed/promo/thanks/?lang=en&lead={lead.public_id}"
    assert (lead.channel, lead.origin, lead.page_url) == ("widget", PROMO_ORIGIN, page)
    assert lead.utm_source == "tilda"
    assert set(ConsentRecord.objects.values_list("method", flat=True)) == {"widget"}
    thanks = client.get(response["Location"])
    assert "Thanks from the promo team." in thanks.text
    assert lead.receipt.get_absolute_url() in thanks.text


def test_an_iframe_submission_with_errors_shows_them_in_the_frame(client, landing_form):
    token = form_token(client.get("/embed/promo/", headers={"Referer": f"{PROMO_ORIGIN}/"}))

    response = client.post("/embed/promo/", {"form_token": token, "phone": "1"})

    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.text
    assert f"frame-ancestors {PROMO_ORIGIN}" in response["Content-Security-Policy"]
    assert table_counts() == (0, 0, 0)


def test_an_iframe_post_without_a_token_for_an_allowed_site_stores_nothing(
    client, landing_form, valid_data
):
    response = client.post("/embed/promo/", {**valid_data, "form_token": "forged"})

    assert response.status_code == 403
    assert table_counts() == (0, 0, 0)


# -- The admin -------------------------------------------------------------------------------


def test_staff_create_a_form_with_origins_normalised_and_bad_ones_refused(client, superuser):
    client.force_login(superuser)
    data = {
        "name": "Autumn",
        "slug": "autumn",
        "is_active": "on",
        "marketing": "optional",
        "advertising": "absent",
        "default_language": "ru",
        "allowed_origins": "https://Autumn.Example.com/\nhttps://autumn.example.com\n",
        "thank_you_url": "",
        "thank_you_message": "",
        "source_tag": "autumn",
    }

    bad = client.post("/admin/leads/landingform/add/", {**data, "allowed_origins": "autumn/x"})
    good = client.post("/admin/leads/landingform/add/", data)

    assert bad.status_code == 200 and "is not an origin" in bad.text
    assert good.status_code == 302
    form = LandingForm.objects.get(slug="autumn")
    assert form.allowed_origins == "https://autumn.example.com"
    assert form.purposes() == (Purpose.PROCESSING, Purpose.MARKETING)


def test_the_forms_page_shows_statistics_and_the_tags_to_paste(
    client, superuser, landing_form, make_lead
):
    make_lead(form=landing_form)
    make_lead("maria@example.com", "+79161234567", form=landing_form, channel="widget")
    client.force_login(superuser)

    listing = client.get("/admin/leads/landingform/")
    page = client.get(f"/admin/leads/landingform/{landing_form.pk}/change/")

    row = re.search(r"Spring promo.*?</tr>", listing.text, re.S).group(0)
    assert re.findall(r'class="field-leads_(?:7|30)_days">(\d+)<', row) == ["2", "2"]
    assert "Leads of the last 30 days: 2." in page.text
    assert 'data-form="promo"' in page.text
    assert widget_integrity() in page.text
    assert "/embed/promo/?lang=en" in page.text


def test_the_lead_list_filters_by_form_and_channel(client, superuser, landing_form, make_lead):
    make_lead(form=landing_form, account_name="From promo", channel="widget")
    make_lead("maria@example.com", "+79161234567", account_name="From our page")
    client.force_login(superuser)

    by_form = client.get(f"/admin/leads/lead/?form__id__exact={landing_form.pk}")
    by_channel = client.get("/admin/leads/lead/?channel__exact=web_form")

    assert "From promo" in by_form.text and "From our page" not in by_form.text
    assert "From our page" in by_channel.text and "From promo" not in by_channel.text


def test_only_one_form_is_shown_at_slash(client, superuser, published_documents):
    LandingForm.objects.default()
    client.force_login(superuser)

    response = client.post(
        "/admin/leads/landingform/add/",
        {
            "name": "Second",
            "slug": "second",
            "is_active": "on",
            "is_default": "on",
            "marketing": "optional",
            "advertising": "optional",
            "default_language": "en",
        },
    )

    assert response.status_code == 200
    assert "Another form is shown at / already" in response.text
    assert LandingForm.objects.filter(is_default=True).count() == 1


def test_the_widget_script_is_small():
    import gzip

    from django.contrib.staticfiles import finders

    with open(finders.find("leads/widget.js"), "rb") as script:
        assert len(gzip.compress(script.read(), 9)) < 15 * 1024


def test_an_expired_iframe_form_is_shown_again_in_the_frame(client, landing_form, valid_data):
    from unittest import mock

    from django.core import signing

    with mock.patch("django.core.signing.time.time", return_value=1_000_000_000):
        token = form_token(
            client.get("/embed/promo/", headers={"Referer": f"{PROMO_ORIGIN}/spring/"})
        )
    assert signing.loads(token, salt="leads.form-token")["o"] == PROMO_ORIGIN

    response = client.post("/embed/promo/", {**valid_data, "form_token": token})

    assert response.status_code == 409
    assert "The form had expired" in response.text
    assert f"frame-ancestors {PROMO_ORIGIN}" in response["Content-Security-Policy"]
    assert table_counts() == (0, 0, 0)


def test_in_production_the_widget_has_a_hashed_name_and_its_integrity_matches(
    settings, tmp_path
):
    import base64
    import hashlib

    from django.core.management import call_command

    from leads.widget import widget_url

    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    # (Changing STORAGES resets the storage: Django's own setting_changed receiver.)
    call_command("collectstatic", "--noinput", verbosity=0)
    widget_integrity.cache_clear()
    try:
        url = widget_url()
        served = (tmp_path / url.rsplit("/static/", 1)[1]).read_bytes()
        digest = base64.b64encode(hashlib.sha384(served).digest()).decode()
        # A hashed name is what lets whitenoise serve it for a year (immutable).
        assert re.search(r"/static/leads/widget\.[0-9a-f]{12}\.js$", url)
        assert widget_integrity() == f"sha384-{digest}"
    finally:
        widget_integrity.cache_clear()
