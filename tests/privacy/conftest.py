from __future__ import annotations

import pytest

from privacy.consent.models import ConsentMethod
from privacy.consent.services import consent_record_append
from privacy.people.models import Decision, Purpose
from privacy.people.services import person_find_or_create
from privacy.rights.models import RightsRequest
from tests.support.mail import link_in, mails_to, send_outbox
from tests.support.staff import VISIT

WORDING = "I agree to the processing of my personal data under the Privacy Policy."


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
def draft(published_documents):
    from tests.support.documents import draft

    return draft(
        "## 1. Terms\n\nWe keep your data **safe** and never sell it.\n",
        summary="Plainer wording.",
    )


# -- Rights requests, as a person sends and confirms them ------------------------------------


@pytest.fixture
def submit_request(client, published_documents):
    """Post the rights request form; returns the response."""

    def _submit(kind: str = "access", email: str = "anna@example.com", **extra):
        return client.post("/privacy/requests/", {"kind": kind, "email": email, **extra})

    return _submit


@pytest.fixture
def confirmed(client, submit_request):
    """Submit a request, open the one-time link from the e-mail, confirm; return the request."""

    def _confirmed(kind: str = "access", email: str = "anna@example.com", **extra):
        assert submit_request(kind, email, **extra).status_code == 303
        send_outbox()
        path = link_in(mails_to(email)[-1])
        assert client.post(path).status_code == 303
        return RightsRequest.objects.order_by("-pk").first()

    return _confirmed
