"""Concurrent writers on PostgreSQL: double clicks and simultaneous visitors."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.test import Client

from leads.models import Lead
from privacy.consent.models import ConsentRecord
from privacy.consent.verify import consent_log_verify
from privacy.people.models import Person
from tests.support.forms import form_token

pytestmark = pytest.mark.django_db(transaction=True)


def run_in_threads(count: int, target) -> list:
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def worker(index: int) -> None:
        try:
            barrier.wait()
            results[index] = target(index)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_a_burst_of_clicks_on_one_form_creates_one_lead(published_documents, valid_data, settings):
    settings.LEAD_RATE_LIMIT = "1000/m"
    token = form_token(Client().get("/"))

    def post(index: int) -> int:
        response = Client().post("/", {**valid_data, "form_token": token})
        return response.status_code, response.get("Location")

    results = run_in_threads(6, post)

    assert {status for status, _ in results} == {303}
    assert len({location for _, location in results}) == 1
    assert Lead.objects.count() == 1
    assert ConsentRecord.objects.count() == 3


def test_simultaneous_visitors_all_get_stored_and_the_chain_stays_linear(
    published_documents, valid_data, settings
):
    settings.LEAD_RATE_LIMIT = "1000/m"

    def post(index: int) -> int:
        client = Client()
        data = {
            **valid_data,
            "email": f"visitor{index}@example.com",
            "phone": f"+7912000{index:04d}",
        }
        return client.post("/", {**data, "form_token": form_token(client.get("/"))}).status_code

    results = run_in_threads(8, post)

    assert results == [303] * 8
    assert Person.objects.count() == 8
    assert ConsentRecord.objects.count() == 24
    assert sorted(ConsentRecord.objects.values_list("seq", flat=True)) == list(range(1, 25))
    assert consent_log_verify() is None


def test_two_first_submissions_by_one_new_person_make_one_person(
    published_documents, valid_data, settings
):
    settings.LEAD_RATE_LIMIT = "1000/m"

    def post(index: int) -> int:
        client = Client()
        return client.post(
            "/", {**valid_data, "form_token": form_token(client.get("/"))}
        ).status_code

    results = run_in_threads(4, post)

    assert results == [303] * 4
    assert Lead.objects.count() == 4
    assert Person.objects.count() == 1
