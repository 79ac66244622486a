from __future__ import annotations

import pytest

from privacy.consent.models import ConsentMethod
from privacy.consent.services import consent_record_append
from privacy.people.models import Decision, Purpose
from privacy.people.services import person_find_or_create
from privacy.people.visits import Visit

WORDING = "I agree to the processing of my personal data under the Privacy Policy."
VISIT = Visit(
    ip="203.0.113.7",
    user_agent="Mozilla/5.0 (X11; Linux x86_64)",
    page_url="https://leadgen.example/",
    referrer="https://search.example/?q=leads",
)


@pytest.fixture(autouse=True)
def _default_language():
    """LocaleMiddleware leaves the request's language active in the thread: reset it."""
    from django.utils import translation

    yield
    translation.deactivate()


@pytest.fixture
def person(db):
    return person_find_or_create(email="anna@example.com", phone="+79161234567")


@pytest.fixture
def append(published_documents, person):
    """Append one consent record for `person` (a web form submission by default)."""

    def _append(
        purpose: str = Purpose.PROCESSING,
        decision: str = Decision.GRANTED,
        *,
        who=None,
        wording: str = WORDING,
    ):
        return consent_record_append(
            person=who or person,
            purpose=purpose,
            decision=decision,
            method=ConsentMethod.WEB_FORM,
            wording_text=wording,
            visit=VISIT,
            source="test",
        )

    return _append


@pytest.fixture
def submission(append):
    """The records one lead form submission appends: one per purpose offered."""
    return [
        append(Purpose.PROCESSING, Decision.GRANTED),
        append(Purpose.MARKETING, Decision.GRANTED, wording="Send me news and offers."),
        append(Purpose.ADVERTISING, Decision.NOT_GIVEN, wording="Show me advertising."),
    ]


def _staff(django_user_model, email: str, codenames: list[str]):
    from django.contrib.auth.models import Permission

    user = django_user_model.objects.create_user(email, "not-a-real-password-42", is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label="privacy", codename__in=codenames)
    )
    return user


EDITOR_PERMISSIONS = [
    "add_documentversion",
    "change_documentversion",
    "delete_documentversion",
    "view_documentversion",
]


@pytest.fixture
def editor(django_user_model):
    """A staff member who drafts legal texts but may not publish them."""
    return _staff(django_user_model, "editor@example.com", EDITOR_PERMISSIONS)


@pytest.fixture
def publisher(django_user_model):
    """A staff member who drafts and publishes legal texts."""
    return _staff(
        django_user_model, "publisher@example.com", [*EDITOR_PERMISSIONS, "publish_documentversion"]
    )


@pytest.fixture
def draft(published_documents):
    from privacy.documents.models import DocumentKind
    from privacy.documents.services import document_draft_create

    return document_draft_create(
        kind=DocumentKind.PRIVACY_POLICY,
        title="Privacy Policy",
        body="## 1. Terms\n\nWe keep your data **safe** and never sell it.\n",
        change_summary="Plainer wording.",
    )
