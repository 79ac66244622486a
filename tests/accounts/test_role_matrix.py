"""The admin over HTTP as each role: every page answers as the role table says, and no page
links a role to a page it may not open."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape
from urllib.parse import urldefrag

import pytest
from django.urls import reverse
from django.utils import timezone

from leads.keys import api_key_issue
from leads.models import Campaign, LandingForm
from privacy.blocks.models import BlockRequester
from privacy.blocks.services import person_block
from privacy.incidents.models import Incident
from privacy.incidents.services import disclosure_record
from privacy.outbox.models import Message, MessageKind
from privacy.outbox.services import message_queue
from privacy.rights.models import RightsRequest
from tests.support.documents import draft as make_draft

pytestmark = pytest.mark.django_db

ROLES = ("reviewer", "officer", "publisher", "campaign_manager", "superuser", "nobody")


@pytest.fixture
def world(make_lead, officer, published_documents):
    """One of everything staff work on."""
    lead = make_lead()
    blocked = make_lead("blocked@example.com", "+79160000009").person
    block = person_block(
        person=blocked,
        requested_by=BlockRequester.AUTHORITY,
        reason="Court case",
        review_by=timezone.localdate() + timedelta(days=10),
        staff=officer,
    )
    message_queue(kind=MessageKind.ACKNOWLEDGMENT, to_email=lead.email, person=lead.person)
    rights_request = RightsRequest.objects.create(
        kind=RightsRequest.Kind.ERASURE,
        email=lead.email,
        email_digest="x",
        person=lead.person,
        status=RightsRequest.Status.IN_PROGRESS,
        due_on=timezone.localdate() + timedelta(days=5),
        assignee=officer,
    )
    incident = Incident.objects.create(
        title="Backup stolen",
        description="A disk.",
        notice_subject="Your data may have been exposed",
        notice_body="A backup disk was stolen.",
        created_by=officer,
    )
    disclosure = disclosure_record(
        authority="Court",
        legal_basis="Order 1",
        people=[lead.person],
        data_categories=["email"],
        staff=officer,
    )
    campaign = Campaign.objects.create(
        name="Autumn", purpose="marketing", subject="S", body_text="B", created_by=officer
    )
    draft = make_draft("B", title="T")
    landing_form = LandingForm.objects.create(slug="promo", name="Promo")
    api_key = api_key_issue(form=landing_form, name="Promo back end", staff=None).key
    return {
        "landing_form": landing_form.pk,
        "api_key": api_key.pk,
        "lead": lead.pk,
        "person": lead.person_id,
        "blocked_person": blocked.pk,
        "block": block.pk,
        "message": Message.objects.first().pk,
        "rights_request": rights_request.pk,
        "incident": incident.pk,
        "disclosure": disclosure.pk,
        "campaign": campaign.pk,
        "draft": draft.pk,
        "published": published_documents["privacy_policy"].pk,
    }


@pytest.fixture
def nobody(django_user_model):
    return django_user_model.objects.create_user("new@example.com", "x" * 20, is_staff=True)


def login(client, request, role: str):
    user = request.getfixturevalue(role)
    client.force_login(user)
    return user


HREF = re.compile(r'href="(/admin/[^"]*)"')
# Links whose GET changes something or leaves the admin; everything else is followed.
NOT_FOLLOWED = ("/admin/logout/",)


def admin_links(html: str) -> set[str]:
    links = set()
    for raw in HREF.findall(html):
        link, _fragment = urldefrag(unescape(raw))
        if link and not link.startswith(NOT_FOLLOWED):
            links.add(link)
    return links


START_PAGES = [
    ("index", ()),
    ("leads_lead_changelist", ()),
    ("leads_lead_change", ("lead",)),
    ("leads_campaign_changelist", ()),
    ("leads_campaign_change", ("campaign",)),
    ("privacy_person_changelist", ()),
    ("privacy_person_change", ("person",)),
    ("privacy_person_change", ("blocked_person",)),
    ("privacy_block_changelist", ()),
    ("privacy_block_change", ("block",)),
    ("privacy_message_changelist", ()),
    ("privacy_message_change", ("message",)),
    ("privacy_consentrecord_changelist", ()),
    ("privacy_auditentry_changelist", ()),
    ("privacy_rightsrequest_changelist", ()),
    ("privacy_rightsrequest_change", ("rights_request",)),
    ("privacy_incident_changelist", ()),
    ("privacy_incident_change", ("incident",)),
    ("privacy_disclosure_changelist", ()),
    ("privacy_disclosure_change", ("disclosure",)),
    ("privacy_documentversion_changelist", ()),
    ("privacy_documentversion_change", ("draft",)),
    ("privacy_documentversion_change", ("published",)),
    ("privacy_documentversion_publish", ("draft",)),
    ("privacy_rightsrequest_erase", ("rights_request",)),
    ("privacy_incident_notice", ("incident",)),
    ("leads_landingform_changelist", ()),
    ("leads_landingform_change", ("landing_form",)),
    ("leads_apikey_changelist", ()),
    ("leads_apikey_change", ("api_key",)),
]


@pytest.mark.parametrize("role", ROLES)
def test_no_page_links_a_role_to_a_page_it_may_not_open(client, request, world, role):
    login(client, request, role)
    opened = [reverse(f"admin:{name}", args=[world[a] for a in args]) for name, args in START_PAGES]
    links: set[str] = set()
    for address in opened:
        response = client.get(address)
        if response.status_code == 200:
            links |= admin_links(response.text)
    refused = []
    for link in sorted(links - set(opened)):
        status = client.get(link).status_code
        if status in (403, 404, 500):
            refused.append((link, status))
    assert refused == [], f"{role} is linked to pages it cannot open"


# Every admin page staff work on, and who may open it (200) or not (403). "all" is every role,
# "superuser" stands for the superuser alone; staff without a role open only the index.
MATRIX = {
    ("index", ()): "all",
    ("leads_lead_changelist", ()): "reviewer officer",
    ("leads_lead_change", ("lead",)): "reviewer officer",
    ("leads_lead_export", ()): "officer",
    ("leads_campaign_changelist", ()): "officer campaign_manager",
    ("leads_campaign_change", ("campaign",)): "officer campaign_manager",
    ("leads_campaign_add", ()): "campaign_manager",
    ("privacy_person_changelist", ()): "reviewer officer",
    ("privacy_person_change", ("person",)): "reviewer officer",
    ("privacy_person_block", ("person",)): "officer",
    ("privacy_block_changelist", ()): "officer",
    ("privacy_block_lift", ("block",)): "officer",
    ("privacy_consentrecord_changelist", ()): "reviewer officer",
    ("privacy_message_changelist", ()): "reviewer officer",
    ("privacy_auditentry_changelist", ()): "officer",
    ("privacy_dataexport_changelist", ()): "officer",
    ("privacy_rightsrequest_changelist", ()): "officer",
    ("privacy_rightsrequest_change", ("rights_request",)): "officer",
    ("privacy_rightsrequest_erase", ("rights_request",)): "officer",
    ("privacy_incident_changelist", ()): "officer",
    ("privacy_incident_add", ()): "officer",
    ("privacy_incident_change", ("incident",)): "officer",
    ("privacy_incident_notice", ("incident",)): "officer",
    ("privacy_disclosure_changelist", ()): "officer",
    ("privacy_disclosure_add", ()): "officer",
    ("privacy_documentversion_changelist", ()): "publisher",
    ("privacy_documentversion_add", ()): "publisher",
    ("privacy_documentversion_change", ("draft",)): "publisher",
    ("privacy_documentversion_publish", ("draft",)): "publisher",
    ("leads_landingform_changelist", ()): "reviewer officer",
    ("leads_landingform_change", ("landing_form",)): "reviewer officer",
    ("leads_landingform_add", ()): "",
    ("leads_apikey_changelist", ()): "",
    ("leads_apikey_add", ()): "",
    ("leads_apikey_change", ("api_key",)): "",
    ("leads_apikey_rotate", ("api_key",)): "",
    ("leads_apikey_revoke", ("api_key",)): "",
    ("accounts_user_changelist", ()): "",
    ("auth_group_changelist", ()): "",
}


@pytest.mark.parametrize("role", ROLES)
def test_each_role_opens_exactly_the_pages_of_its_job(client, request, world, role):
    login(client, request, role)
    expected, actual = {}, {}
    for (name, args), allowed in MATRIX.items():
        address = reverse(f"admin:{name}", args=[world[a] for a in args])
        may = (
            role == "superuser"
            or (allowed == "all" and role != "nobody")
            or role in allowed.split()
        )
        if name == "index":
            may = True  # every staff member has an index, empty or not
        expected[name] = 200 if may else 403
        actual[name] = client.get(address).status_code
    assert actual == expected


def test_the_assignee_list_offers_only_people_who_can_act_on_the_request(
    client, world, officer, reviewer, publisher, campaign_manager, superuser, django_user_model
):
    from django.contrib.auth.models import Group

    gone = django_user_model.objects.create_user("gone@example.com", "x" * 20, is_active=False)
    gone.groups.add(Group.objects.get(name="Privacy officer"))
    client.force_login(officer)
    page = reverse("admin:privacy_rightsrequest_change", args=[world["rights_request"]])

    select = client.get(page).text.split('name="assignee"', 1)[1].split("</select>", 1)[0]
    offered = set(re.findall(r'<option value="(\d+)"', select))

    assert offered == {str(officer.pk), str(superuser.pk)}
    inlines = {
        f"{prefix}-{name}": "0"
        for prefix in ("corrections", "destructions")
        for name in ("TOTAL_FORMS", "INITIAL_FORMS")
    }
    response = client.post(
        page, {"assignee": reviewer.pk, "answer": "", "_continue": "1", **inlines}
    )
    assert response.status_code == 200  # the form again, with the error
    assert "Select a valid choice" in response.text
    assert RightsRequest.objects.get(pk=world["rights_request"]).assignee == officer
