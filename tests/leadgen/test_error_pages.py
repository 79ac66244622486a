"""No input reaches a 500: bad encodings, too many fields, oversized bodies; the site's own
400, 403, 404 and 500 pages in English and Russian, with the usual security headers."""

from __future__ import annotations

import uuid

import pytest
from django.db import OperationalError, connection
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tests.support.forms import form_token, table_counts

pytestmark = pytest.mark.django_db

PAGE_400 = "We could not read your request"


def _paths(patterns, prefix: str = "") -> list[str]:
    """Every URL of the site, with a plausible value in each parameter."""
    values = {"int": "1", "str": "x" * 20, "uuid": str(uuid.uuid4()), "path": "x"}
    paths = []
    for entry in patterns:
        route = str(entry.pattern)
        if route.startswith("^"):  # regex routes (anymail's mailgun inbound) as written
            route = route.strip("^$").replace("(_mime)?", "")
        for converter, value in values.items():
            while f"<{converter}:" in route:
                start = route.index(f"<{converter}:")
                route = route[:start] + value + route[route.index(">", start) + 1 :]
        if isinstance(entry, URLResolver):
            paths += _paths(entry.url_patterns, prefix + route)
        elif isinstance(entry, URLPattern):
            paths.append("/" + prefix + route)
    return sorted(set(paths))


def csrf_client(published_documents) -> tuple[Client, str]:
    """A browser that opened the form: a valid CSRF cookie, CSRF checks on."""
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    client.get("/")
    return client, client.cookies["csrftoken"].value


@pytest.mark.parametrize("charset", ["utf-16", "latin-1", "UTF-32", "cp1251", "utf8", "bogus"])
def test_a_form_declared_in_another_encoding_gets_400_with_the_sites_page_on_every_url(
    published_documents, charset
):
    client, csrf = csrf_client(published_documents)
    body = f"csrfmiddlewaretoken={csrf}&email=anna%40example.com".encode()
    before = table_counts()

    answers = {
        path: client.generic(
            "POST",
            path,
            body,
            content_type=f"application/x-www-form-urlencoded; charset={charset}",
        )
        for path in _paths(get_resolver().url_patterns)
    }

    assert len(answers) > 30
    for path, response in answers.items():
        assert response.status_code == 400, path
        assert PAGE_400 in response.text and "UTF-8" in response.text, path
        assert "Content-Security-Policy" in response and response["X-Frame-Options"] == "DENY"
    assert table_counts() == before


def test_multipart_in_another_encoding_is_refused_too(published_documents):
    client, csrf = csrf_client(published_documents)
    body = (
        b"--B\r\nContent-Disposition: form-data; name=\"csrfmiddlewaretoken\"\r\n\r\n"
        + csrf.encode()
        + b"\r\n--B--\r\n"
    )
    response = client.generic(
        "POST", "/", body, content_type="multipart/form-data; boundary=B; charset=latin-1"
    )
    assert response.status_code == 400 and PAGE_400 in response.text


def test_a_form_declared_utf8_in_capitals_is_accepted(published_documents, valid_data):
    client, csrf = csrf_client(published_documents)
    token = form_token(client.get("/"))
    data = {**valid_data, "form_token": token, "csrfmiddlewaretoken": csrf}
    from urllib.parse import urlencode

    response = client.generic(
        "POST",
        "/",
        urlencode(data),
        content_type="application/x-www-form-urlencoded; charset=UTF-8",
    )
    assert response.status_code == 303


def test_too_many_fields_get_400_with_the_sites_page_not_500(published_documents):
    client, csrf = csrf_client(published_documents)
    body = f"csrfmiddlewaretoken={csrf}&" + "&".join(f"f{n}=1" for n in range(1200))

    response = client.generic(
        "POST", "/privacy/requests/", body, content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 400
    assert PAGE_400 in response.text


def test_the_413_page_carries_csp_and_x_frame_options(published_documents):
    client = Client()

    response = client.generic(
        "POST", "/", b"x" * 70_000, content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 413
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("path", ["/", "/healthz"])
def test_head_of_the_home_page_and_the_health_check_answers_200_without_a_body(
    client, published_documents, path
):
    response = client.head(path)

    assert response.status_code == 200
    assert response.content == b""


def test_the_404_page_is_the_sites_own_in_english_and_russian(client, published_documents):
    english = client.get("/no/such/page/")
    russian = client.get("/no/such/page/", headers={"Accept-Language": "ru"})

    assert english.status_code == russian.status_code == 404
    assert "Page not found" in english.text and 'href="/privacy/"' in english.text
    assert "Страница не найдена" in russian.text and '<html lang="ru">' in russian.text
    assert "nonce-" in english["Content-Security-Policy"]


def test_the_403_page_tells_staff_they_lack_the_permission(client, reviewer):
    client.force_login(reviewer)

    response = client.get("/admin/privacy/auditentry/")

    assert response.status_code == 403
    assert "You may not open this page" in response.text
    assert "Back to the administration" in response.text


def test_a_form_without_its_csrf_token_gets_the_sites_403_page(published_documents):
    client = Client(enforce_csrf_checks=True)
    client.get("/")

    response = client.post("/privacy/requests/", {"kind": "access", "email": "a@example.com"})

    assert response.status_code == 403
    assert "This form has expired" in response.text
    assert response["X-Frame-Options"] == "DENY"


def test_the_400_page_in_russian(published_documents):
    client, _csrf = csrf_client(published_documents)

    response = client.generic(
        "POST",
        "/",
        b"a=1",
        content_type="application/x-www-form-urlencoded; charset=utf-16",
        headers={"Accept-Language": "ru"},
    )

    assert response.status_code == 400
    assert "Не удалось прочитать ваш запрос" in response.text


def test_the_500_page_renders_while_the_database_is_down(published_documents, monkeypatch):
    def down(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", down)
    client = Client(raise_request_exception=False)

    response = client.get("/privacy/", headers={"Accept-Language": "ru"})

    assert response.status_code == 500
    assert "Что-то пошло не так" in response.text
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"


def test_the_500_page_falls_back_to_plain_html_when_even_templates_fail(rf, monkeypatch):
    from leadgen import views

    def broken(*args, **kwargs):
        raise RuntimeError("template engine down")

    monkeypatch.setattr(views, "render_to_string", broken)

    response = views.server_error(rf.get("/"))

    assert response.status_code == 500
    assert b"Something went wrong" in response.content
