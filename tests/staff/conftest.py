from __future__ import annotations

import uuid

import pytest
from django.contrib.auth.models import Group

from accounts.roles import GROUP_NAMES, Role
from leads.models import Lead
from privacy.consent.models import ConsentMethod
from privacy.consent.services import ConsentEntry, consent_records_append
from privacy.people.models import Decision, Purpose
from privacy.people.services import person_find_or_create
from privacy.people.visits import Visit

PASSWORD = "correct horse battery staple 42"
VISIT = Visit(ip="203.0.113.7", user_agent="Mozilla/5.0", page_url="https://leadgen.example/")


@pytest.fixture(autouse=True)
def _default_language():
    """LocaleMiddleware leaves the request's language active in the thread: reset it."""
    from django.utils import translation

    yield
    translation.deactivate()


def _member(django_user_model, email: str, role: Role | None):
    user = django_user_model.objects.create_user(email, PASSWORD, is_staff=True)
    if role is not None:
        user.groups.add(Group.objects.get(name=GROUP_NAMES[role]))
    return user


@pytest.fixture
def reviewer(django_user_model):
    return _member(django_user_model, "reviewer@example.com", Role.LEAD_REVIEWER)


@pytest.fixture
def officer(django_user_model):
    return _member(django_user_model, "officer@example.com", Role.PRIVACY_OFFICER)


@pytest.fixture
def publisher(django_user_model):
    return _member(django_user_model, "publisher@example.com", Role.POLICY_PUBLISHER)


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser("root@example.com", PASSWORD)


@pytest.fixture
def make_lead(published_documents):
    """A lead as a submission stores it: the person, their consent records, the lead."""

    def _make(
        email: str = "anna@example.com",
        phone: str = "+79123456789",
        *,
        marketing: str = Decision.GRANTED,
        account_name: str = "Anna",
        **fields,
    ) -> Lead:
        person = person_find_or_create(email=email, phone=phone)
        policy = published_documents["privacy_policy"]
        consent_records_append(
            entries=[
                ConsentEntry(
                    person=person,
                    purpose=purpose,
                    decision=decision,
                    method=ConsentMethod.WEB_FORM,
                    wording_text=f"I agree: {purpose}",
                    visit=VISIT,
                    policy_version=policy,
                    consent_version=published_documents[f"consent_{purpose}"],
                    source="test",
                )
                for purpose, decision in (
                    (Purpose.PROCESSING, Decision.GRANTED),
                    (Purpose.MARKETING, marketing),
                    (Purpose.ADVERTISING, Decision.NOT_GIVEN),
                )
            ]
        )
        return Lead.objects.create(
            person=person,
            account_name=account_name,
            email=email,
            phone=phone,
            language="en",
            submission_token=uuid.uuid4().hex,
            ip="203.0.113.7",
            user_agent="Mozilla/5.0",
            page_url="https://leadgen.example/?utm_source=yandex",
            utm_source=fields.pop("utm_source", "yandex"),
            **fields,
        )

    return _make


@pytest.fixture
def lead(make_lead):
    return make_lead()
