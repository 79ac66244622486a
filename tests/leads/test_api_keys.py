"""API keys: a landing page's back end submits with one; issued, used, rotated, revoked."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from leads.keys import ApiKeyError, api_key_issue, api_key_revoke, api_key_rotate
from leads.models import ApiKey, LandingForm, Lead
from privacy.audit.models import AuditAction, AuditEntry
from privacy.consent.models import ConsentRecord
from privacy.consent.verify import consent_log_verify
from tests.support.forms import table_counts

pytestmark = pytest.mark.django_db


@pytest.fixture
def server_data(api_data):
    return {
        **api_data,
        "page_url": "https://partner.example/landing?utm_source=partner&utm_medium=cpc",
        "visitor_ip": "203.0.113.9",
        "user_agent": "Mozilla/5.0 (Visitor)",
    }


def test_a_server_submission_records_the_api_method_the_key_and_the_declared_visit(
    api_submit, server_data, issued_key, landing_form
):
    response = api_submit(server_data, key=issued_key.secret, origin=None)

    assert response.status_code == 201
    lead = Lead.objects.get()
    key = issued_key.key
    assert (lead.channel, lead.api_key, lead.form) == ("api", key, landing_form)
    assert lead.ip == "203.0.113.9" and lead.user_agent == "Mozilla/5.0 (Visitor)"
    assert lead.page_url == server_data["page_url"]
    assert (lead.utm_source, lead.utm_medium) == ("partner", "cpc")
    for record in ConsentRecord.objects.filter(person=lead.person):
        assert record.method == "api"
        assert record.source == f"lead:{lead.public_id} key:{key.key_id}"
        assert record.page_url == server_data["page_url"]
        assert record.ip == "203.0.113.9"
    assert consent_log_verify() is None


def test_every_use_is_counted_with_its_time_and_address(
    api_submit, server_data, issued_key
):
    api_submit(server_data, key=issued_key.secret, origin=None)
    api_submit({**server_data, "phone": "1"}, key=issued_key.secret, origin=None)

    key = ApiKey.objects.get()
    assert key.use_count == 2
    assert key.last_used_ip == "127.0.0.1"
    assert timezone.now() - key.last_used_at < timedelta(minutes=1)


def test_the_key_is_stored_only_as_its_hash(issued_key):
    key = ApiKey.objects.get()

    assert issued_key.secret.startswith(f"lg_{key.prefix}_")
    assert key.secret_hash == hashlib.sha256(issued_key.secret.encode()).hexdigest()
    stored = " ".join(str(value) for value in ApiKey.objects.values().get().values())
    assert issued_key.secret.split("_")[-1] not in stored


@pytest.mark.parametrize(
    "header",
    ["Bearer lg_abcdefgh_" + "x" * 43, "Bearer nonsense", "Basic dXNlcjpwYXNz", "Bearer "],
)
def test_an_unknown_or_malformed_key_is_refused(client, api_form, server_data, issued_key, header):
    token = api_form(origin=None).json()["token"]

    response = client.post(
        "/api/v1/forms/promo/submissions/",
        {**server_data, "token": token},
        content_type="application/json",
        headers={"Authorization": header},
    )

    assert response.status_code == 401
    assert response.json()["error"] == "unauthorized"
    assert table_counts() == (0, 0, 0)


def test_a_key_works_only_for_its_own_form(api_submit, server_data, landing_form, superuser):
    other = LandingForm.objects.create(slug="other", name="Other")
    foreign = api_key_issue(form=other, name="Other back end", staff=superuser)

    response = api_submit(server_data, key=foreign.secret, origin=None)

    assert response.status_code == 403
    assert response.json()["error"] == "key_not_for_form"
    assert table_counts() == (0, 0, 0)


def test_each_key_has_its_own_rate_limit(api_submit, server_data, landing_form, superuser):
    slow = api_key_issue(form=landing_form, name="Slow", staff=superuser, rate_limit="2/m")
    fast = api_key_issue(form=landing_form, name="Fast", staff=superuser)

    statuses = [
        api_submit({**server_data, "email": f"s{n}@example.com"}, key=slow.secret, origin=None)
        .status_code
        for n in range(3)
    ]
    other = api_submit(server_data, key=fast.secret, origin=None)

    assert statuses == [201, 201, 429]
    assert other.status_code == 201
    assert Lead.objects.filter(api_key=slow.key).count() == 2


def test_one_token_serves_many_visitors_and_an_idempotency_key_names_a_retry(
    api_form, api_submit, server_data, issued_key
):
    token = api_form(origin=None).json()["token"]
    key = issued_key.secret

    first = api_submit(server_data, key=key, origin=None, token=token)
    second = api_submit(
        {**server_data, "email": "maria@example.com", "phone": "+79161234567"},
        key=key,
        origin=None,
        token=token,
    )
    with_id = [
        api_submit(
            server_data, key=key, origin=None, token=token, headers={"Idempotency-Key": "order-7"}
        )
        for _ in range(2)
    ]

    assert (first.status_code, second.status_code) == (201, 201)
    assert [r.status_code for r in with_id] == [201, 200]
    assert with_id[0].json()["id"] == with_id[1].json()["id"]
    assert Lead.objects.count() == 3


def test_key_lifecycle_create_use_rotate_overlap_revoke(
    api_submit, server_data, issued_key, superuser
):
    def status(secret: str, n: int) -> int:
        data = {**server_data, "email": f"life{n}@example.com"}
        return api_submit(data, key=secret, origin=None).status_code

    old = issued_key
    assert status(old.secret, 1) == 201

    new = api_key_rotate(key=old.key, staff=superuser, overlap_hours=2)

    # During the overlap both keys work.
    assert status(old.secret, 2) == 201
    assert status(new.secret, 3) == 201
    old.key.refresh_from_db()
    assert old.key.replaced_by == new.key and old.key.state() == ApiKey.State.EXPIRING
    # After it, the old key is refused and the new one goes on.
    later = timezone.now() + timedelta(hours=2, seconds=1)
    with mock.patch("leads.keys.timezone.now", return_value=later):
        assert status(old.secret, 4) == 401
        assert status(new.secret, 5) == 201
    assert old.key.state(later) == ApiKey.State.EXPIRED

    api_key_revoke(key=new.key, staff=superuser)

    assert status(new.secret, 6) == 401
    assert Lead.objects.count() == 4
    actions = list(
        AuditEntry.objects.filter(action__startswith="api_key")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == [
        AuditAction.API_KEY_ISSUED,  # the first key
        AuditAction.API_KEY_ISSUED,  # its replacement
        AuditAction.API_KEY_ROTATED,
        AuditAction.API_KEY_REVOKED,
    ]


def test_a_revoked_or_rotated_key_cannot_be_rotated_or_revoked_again(issued_key, superuser):
    api_key_rotate(key=issued_key.key, staff=superuser, overlap_hours=1)
    with pytest.raises(ApiKeyError):
        api_key_rotate(key=issued_key.key, staff=superuser)
    api_key_revoke(key=issued_key.key, staff=superuser)
    with pytest.raises(ApiKeyError):
        api_key_revoke(key=issued_key.key, staff=superuser)
    with pytest.raises(ApiKeyError):
        api_key_rotate(key=issued_key.key, staff=superuser, overlap_hours=10_000)


# -- In the admin ----------------------------------------------------------------------------


def test_staff_issue_a_key_in_the_admin_and_see_it_once(client, superuser, landing_form):
    client.force_login(superuser)

    response = client.post(
        "/admin/leads/apikey/add/",
        {"form": landing_form.pk, "name": "Tilda back end", "rate_limit": "60/m"},
    )

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    key = ApiKey.objects.get()
    secret = response.context["issued"].secret
    assert secret in response.text
    assert key.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert (key.name, key.rate_limit, key.created_by) == ("Tilda back end", "60/m", superuser)
    page = client.get(f"/admin/leads/apikey/{key.pk}/change/")
    assert secret not in page.text and key.prefix in page.text
    assert "sessionid" in client.cookies and secret not in str(client.cookies)


def test_a_malformed_rate_limit_is_refused_in_the_admin(client, superuser, landing_form):
    client.force_login(superuser)

    response = client.post(
        "/admin/leads/apikey/add/",
        {"form": landing_form.pk, "name": "Bad", "rate_limit": "lots"},
    )

    assert response.status_code == 200
    assert "A rate looks like 120/m" in response.text
    assert not ApiKey.objects.exists()


def test_staff_rotate_and_revoke_a_key_in_the_admin(client, superuser, issued_key):
    client.force_login(superuser)
    key = issued_key.key

    confirm = client.get(f"/admin/leads/apikey/{key.pk}/rotate/")
    rotated = client.post(f"/admin/leads/apikey/{key.pk}/rotate/", {"overlap_hours": "6"})

    assert confirm.status_code == 200 and "Yes, rotate it" in confirm.text
    assert rotated.status_code == 200
    new = ApiKey.objects.exclude(pk=key.pk).get()
    assert rotated.context["issued"].key == new
    assert rotated.context["issued"].secret in rotated.text
    key.refresh_from_db()
    assert key.replaced_by == new
    assert timedelta(hours=5, minutes=59) < key.expires_at - timezone.now() <= timedelta(hours=6)

    revoked = client.post(f"/admin/leads/apikey/{new.pk}/revoke/")

    assert revoked.status_code == 302
    new.refresh_from_db()
    assert new.revoked_at is not None and new.revoked_by == superuser


def test_keys_cannot_be_deleted_and_staff_without_the_permission_cannot_touch_them(
    client, reviewer, superuser, issued_key
):
    client.force_login(superuser)
    assert client.post(f"/admin/leads/apikey/{issued_key.key.pk}/delete/").status_code == 403
    client.force_login(reviewer)
    assert client.get("/admin/leads/apikey/").status_code == 403
    assert client.post(f"/admin/leads/apikey/{issued_key.key.pk}/revoke/").status_code == 403
    issued_key.key.refresh_from_db()
    assert issued_key.key.revoked_at is None

