"""person_find_or_create: the one-statement path (PostgreSQL) and the ORM path (SQLite) agree."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from privacy.people import services
from privacy.people.models import Person

pytestmark = pytest.mark.django_db

WAYS = {
    "one statement": services._person_find_or_create_in_one_statement,
    "orm": services._person_find_or_create_with_orm,
}


@pytest.fixture(params=WAYS)
def find_or_create(request):
    return WAYS[request.param]


def make(email, phone, days_ago):
    return Person.objects.create(
        email=email, phone=phone, created_at=timezone.now() - timedelta(days=days_ago)
    )


def test_a_new_person_is_created_with_the_models_defaults(find_or_create):
    person = find_or_create(email="new@example.com", phone="+79160000001", language="ru")

    stored = Person.objects.get()
    assert person.pk == stored.pk
    assert (stored.email, stored.phone, stored.language) == (
        "new@example.com",
        "+79160000001",
        "ru",
    )
    assert (stored.consent_processing, stored.consent_marketing, stored.erased_at) == ("", "", None)
    assert person.consent_marketing == "" and person.created_at == stored.created_at


def test_the_email_match_wins_over_an_older_phone_match(find_or_create):
    make("old@example.com", "+79160000002", days_ago=10)
    by_email = make("anna@example.com", "+79169999999", days_ago=1)

    person = find_or_create(email="anna@example.com", phone="+79160000002", language="en")

    assert person.pk == by_email.pk
    assert Person.objects.count() == 2


def test_without_an_email_match_the_oldest_phone_match_is_taken(find_or_create):
    make("a@example.com", "+79160000003", days_ago=1)
    oldest = make("b@example.com", "+79160000003", days_ago=5)

    person = find_or_create(email="c@example.com", phone="+79160000003", language="en")

    assert person.pk == oldest.pk
    assert Person.objects.count() == 2


def test_a_blank_phone_matches_nobody_by_phone(find_or_create):
    make("a@example.com", "", days_ago=1)

    person = find_or_create(email="b@example.com", phone="", language="en")

    assert person.email == "b@example.com"
    assert Person.objects.count() == 2


def test_a_found_person_comes_back_with_its_stored_state(find_or_create):
    existing = make("anna@example.com", "+79160000004", days_ago=1)
    Person.objects.filter(pk=existing.pk).update(consent_marketing="granted", language="ru")

    person = find_or_create(email="anna@example.com", phone="", language="en")

    assert (person.pk, person.consent_marketing, person.language) == (existing.pk, "granted", "ru")
