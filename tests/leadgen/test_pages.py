import pytest

pytestmark = pytest.mark.django_db


def test_home_page_has_navigation_contact_and_language_switch(
    client, settings, published_documents
):
    settings.PRIVACY_CONTACT_EMAIL = "dpo@example.org"

    response = client.get("/")

    assert response.status_code == 200
    html = response.text
    assert 'href="/privacy/"' in html
    assert "mailto:dpo@example.org" in html
    assert 'name="language" value="ru"' in html


def test_pages_switch_to_russian(client, published_documents):
    response = client.post("/i18n/setlang/", {"language": "ru", "next": "/"}, follow=True)

    assert response.status_code == 200
    assert '<html lang="ru">' in response.text
    assert "Политика конфиденциальности" in response.text


def test_every_page_carries_a_nonce_based_content_security_policy(client, published_documents):
    response = client.get("/")

    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "object-src 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
