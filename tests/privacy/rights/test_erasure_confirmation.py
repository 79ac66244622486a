"""Erasure is never one click: a confirmation shows what goes and what stays, sends the
officer's answer; a second officer's approval when configured; the state is right after."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from leads.models import Lead
from privacy.audit.approvals import ApprovalPending
from privacy.audit.models import Approval, AuditAction, AuditEntry
from privacy.blocks.models import BlockRequester
from privacy.blocks.services import person_block
from privacy.consent.services import purpose_state
from privacy.people.models import Person, Purpose
from privacy.rights.models import Destruction, RightsRequest
from privacy.rights.services import request_erase
from tests.support.mail import mails_to, send_outbox

pytestmark = pytest.mark.django_db
Status = RightsRequest.Status

EMAIL = "zoe.unique@example.com"
ANSWER = "We have also asked our mailing provider to forget you."


@pytest.fixture
def zoe(make_lead):
    lead = make_lead(EMAIL, "+79161112233", account_name="Zyx Trading")
    make_lead(EMAIL, "+79161112233", account_name="Zyx Trading 2")
    return lead.person


@pytest.fixture
def erasure(confirmed, zoe):
    return confirmed("erasure", EMAIL)


@pytest.fixture
def second_officer(django_user_model):
    user = django_user_model.objects.create_user("second@example.com", "x" * 20, is_staff=True)
    user.groups.add(Group.objects.get(name="Privacy officer"))
    return user


# The change form's inlines (corrections, destructions) post their management forms too.
INLINES = {
    f"{prefix}-{name}": "0"
    for prefix in ("corrections", "destructions")
    for name in ("TOTAL_FORMS", "INITIAL_FORMS")
}


def erase_page(rights_request) -> str:
    return reverse("admin:privacy_rightsrequest_erase", args=[rights_request.pk])


def change_page(rights_request) -> str:
    return reverse("admin:privacy_rightsrequest_change", args=[rights_request.pk])


def erased(person) -> bool:
    return Person.objects.get(pk=person.pk).erased_at is not None


def test_the_erase_button_only_leads_to_the_confirmation(client, officer, erasure, zoe):
    client.force_login(officer)

    response = client.post(
        change_page(erasure), {"answer": ANSWER, "assignee": "", "_erase": "1", **INLINES}
    )

    assert response.status_code == 302
    assert response["Location"] == erase_page(erasure)
    assert not erased(zoe)
    assert not Destruction.objects.exists()
    assert RightsRequest.objects.get(pk=erasure.pk).status == Status.VERIFIED
    # The answer typed on the request's page is kept, and offered on the confirmation.
    assert ANSWER in client.get(erase_page(erasure)).text


def test_the_confirmation_shows_what_goes_and_what_stays_as_proof(client, officer, erasure, zoe):
    client.force_login(officer)

    page = client.get(erase_page(erasure)).text

    assert f"person #{zoe.pk}" in page
    rows = {
        unescape(label): count
        for label, count in re.findall(r"<tr><td>([^<]+)</td><td>(\d+)</td></tr>", page)
    }
    assert rows["The person's e-mail and phone"] == "1"
    assert rows[next(k for k in rows if k.startswith("Submissions (leads)"))] == "2"
    assert rows[next(k for k in rows if k.startswith("Consent records:"))] == "6"
    assert rows[next(k for k in rows if k.startswith("The consent log"))] == "6"
    assert rows[next(k for k in rows if k.startswith("Lead rows without data"))] == "2"
    assert "Yes, erase and send the answer" in page
    assert not erased(zoe)  # looking changes nothing


def test_confirming_erases_and_sends_the_officers_own_answer(client, officer, erasure, zoe):
    client.force_login(officer)

    response = client.post(erase_page(erasure), {"answer": ANSWER, "_confirm": "1"})

    assert response.status_code == 302
    assert erased(zoe)
    rights_request = RightsRequest.objects.get(pk=erasure.pk)
    assert (rights_request.status, rights_request.answer) == (Status.ANSWERED, ANSWER)
    send_outbox()
    [mail] = [m for m in mails_to(EMAIL) if "erased" in m.body]
    assert ANSWER in mail.body
    assert ANSWER in mail.alternatives[0][0]
    page = client.get(change_page(erasure)).text
    assert ANSWER in page  # the Answer field shows what was sent


def test_a_blocked_person_gets_no_erase_button_and_nothing_changes(client, officer, erasure, zoe):
    person_block(
        person=zoe,
        requested_by=BlockRequester.AUTHORITY,
        reason="Court case",
        review_by=timezone.localdate() + timedelta(days=10),
        staff=officer,
    )
    client.force_login(officer)

    page = client.get(erase_page(erasure)).text
    client.post(erase_page(erasure), {"answer": ANSWER, "_confirm": "1"})

    assert "lift the block before erasing" in page
    assert "Yes, erase" not in page
    assert not erased(zoe)
    assert RightsRequest.objects.get(pk=erasure.pk).status == Status.VERIFIED


def test_a_reviewer_cannot_open_the_confirmation(client, reviewer, erasure, zoe):
    client.force_login(reviewer)

    assert client.get(erase_page(erasure)).status_code == 403
    assert client.post(erase_page(erasure), {"_confirm": "1"}).status_code == 403
    assert not erased(zoe)


def test_after_erasure_the_consent_shows_as_erased_not_granted(client, officer, erasure, zoe):
    request_erase(request=erasure, staff=officer)
    client.force_login(officer)

    person = Person.objects.get(pk=zoe.pk)
    assert (person.consent_processing, person.consent_marketing) == ("", "")
    assert purpose_state(person=person, purpose=Purpose.MARKETING).granted is False
    assert purpose_state(person=person, purpose=Purpose.MARKETING).erased is True
    listing = client.get(reverse("admin:leads_lead_changelist")).text
    assert "consent-erased" in listing and "✓" not in listing
    granted = client.get(reverse("admin:leads_lead_changelist") + "?consent=marketing:granted").text
    never = client.get(reverse("admin:leads_lead_changelist") + "?consent=marketing:none").text
    assert "consent-erased" not in granted and "consent-erased" not in never
    assert Lead.objects.filter(person=person).count() == 2


# -- A second officer's approval (SECOND_APPROVAL_FOR=erasure) -----------------------------


def test_without_the_setting_one_officer_erases(settings, officer, erasure, zoe):
    assert settings.SECOND_APPROVAL_FOR == []
    request_erase(request=erasure, staff=officer)
    assert erased(zoe)
    assert not Approval.objects.exists()


def test_with_the_setting_the_first_confirmation_only_asks_for_approval(
    settings, client, officer, erasure, zoe
):
    settings.SECOND_APPROVAL_FOR = ["erasure"]
    client.force_login(officer)

    assert "Ask a second officer to approve" in client.get(erase_page(erasure)).text
    client.post(erase_page(erasure), {"answer": ANSWER, "_confirm": "1"})
    with pytest.raises(ApprovalPending):  # the same officer again: still waiting
        request_erase(request=erasure, staff=officer, answer=ANSWER)

    assert not erased(zoe)
    assert not Destruction.objects.exists()
    approval = Approval.objects.get()
    assert (approval.status, approval.requested_by) == (Approval.Status.PENDING, officer)
    assert AuditEntry.objects.filter(action=AuditAction.APPROVAL_REQUESTED, person=zoe).count() == 1
    assert "Withdraw my request for approval" in client.get(erase_page(erasure)).text


def test_a_second_officer_approves_and_the_erasure_is_done_and_audited(
    settings, client, officer, second_officer, erasure, zoe
):
    settings.SECOND_APPROVAL_FOR = ["erasure"]
    with pytest.raises(ApprovalPending):
        request_erase(request=erasure, staff=officer, answer=ANSWER)
    client.force_login(second_officer)

    page = client.get(erase_page(erasure)).text
    assert "officer@example.com asked for this erasure" in page
    assert ANSWER in page  # the first officer's answer, for the second to read
    client.post(erase_page(erasure), {"answer": ANSWER, "_confirm": "1"})

    assert erased(zoe)
    approval = Approval.objects.get()
    assert (approval.status, approval.decided_by) == (Approval.Status.APPROVED, second_officer)
    given = AuditEntry.objects.get(action=AuditAction.APPROVAL_GIVEN)
    assert (given.actor, given.person_id) == (second_officer, zoe.pk)
    erasure_entry = AuditEntry.objects.get(action=AuditAction.PERSON_ERASED)
    assert erasure_entry.detail["asked_by"] == "officer@example.com"
    assert erasure_entry.detail["approved_by"] == "second@example.com"


def test_the_officer_who_asked_may_withdraw_and_nothing_is_erased(
    settings, client, officer, second_officer, erasure, zoe
):
    settings.SECOND_APPROVAL_FOR = ["erasure"]
    with pytest.raises(ApprovalPending):
        request_erase(request=erasure, staff=officer)
    client.force_login(officer)

    client.post(erase_page(erasure), {"_withdraw": "1"})

    assert Approval.objects.get().status == Approval.Status.WITHDRAWN
    assert AuditEntry.objects.filter(action=AuditAction.APPROVAL_WITHDRAWN).exists()
    assert not erased(zoe)
    # A new confirmation starts a new request rather than approving the withdrawn one.
    with pytest.raises(ApprovalPending):
        request_erase(request=erasure, staff=second_officer)
    assert not erased(zoe)


def test_a_blocked_erasure_cannot_even_be_put_up_for_approval(settings, officer, erasure, zoe):
    settings.SECOND_APPROVAL_FOR = ["erasure"]
    person_block(
        person=zoe,
        requested_by=BlockRequester.PERSON,
        reason="Disputed",
        review_by=timezone.localdate() + timedelta(days=10),
        staff=officer,
    )
    from privacy.rights.services import RightsError

    with pytest.raises(RightsError, match="lift the block"):
        request_erase(request=erasure, staff=officer)
    assert not Approval.objects.exists()
