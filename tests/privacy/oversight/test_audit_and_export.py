"""The audit trail is complete and append-only; exports are officers-only, streamed, recorded."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.db.utils import IntegrityError, InternalError
from django.urls import reverse
from django.utils import timezone

from privacy.audit.models import AUDIT_TRAIL_IS_APPEND_ONLY, AuditAction, AuditEntry
from privacy.audit.services import audit_record
from privacy.blocks.models import BlockRequester
from privacy.blocks.services import person_block
from privacy.oversight.models import DataExport
from privacy.oversight.services import csv_safe
from privacy.people.integrity import ImmutableRecordError

pytestmark = pytest.mark.django_db

from tests.support.documents import draft as make_draft  # noqa: E402
from tests.support.staff import PASSWORD  # noqa: E402


def test_logging_in_and_failing_to_are_audited_with_the_address(client, reviewer):
    login = reverse("admin:login")
    client.post(login, {"username": reviewer.email, "password": "wrong"}, REMOTE_ADDR="192.0.2.1")
    client.post(login, {"username": reviewer.email, "password": PASSWORD}, REMOTE_ADDR="192.0.2.1")
    failed = AuditEntry.objects.get(action=AuditAction.LOGIN_FAILED)
    assert (failed.actor, failed.actor_email, failed.ip) == (None, reviewer.email, "192.0.2.1")
    ok = AuditEntry.objects.get(action=AuditAction.LOGGED_IN)
    assert (ok.actor, ok.ip) == (reviewer, "192.0.2.1")


def test_publishing_a_policy_version_is_audited(client, publisher, published_documents):
    draft = make_draft("New text", title="T")
    client.force_login(publisher)
    client.post(reverse("admin:privacy_documentversion_publish", args=[draft.pk]))
    entry = AuditEntry.objects.get(action=AuditAction.VERSION_PUBLISHED, object_id=str(draft.pk))
    assert (entry.actor, entry.detail["number"], entry.detail["channel"]) == (publisher, 2, "admin")
    assert entry.ip == "127.0.0.1"


def test_audit_entries_cannot_be_changed_or_deleted_from_the_app(officer):
    entry = audit_record(action=AuditAction.LOGGED_IN, actor=officer)
    entry.ip = "192.0.2.99"
    for attempt in (
        entry.save,
        entry.delete,
        lambda: AuditEntry.objects.all().delete(),
        lambda: AuditEntry.objects.update(ip=None),
    ):
        with pytest.raises(ImmutableRecordError, match=AUDIT_TRAIL_IS_APPEND_ONLY):
            attempt()
    assert AuditEntry.objects.get(pk=entry.pk).ip is None


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE privacy_auditentry SET actor_email = 'someone@else'",
        "DELETE FROM privacy_auditentry",
    ],
)
def test_the_database_refuses_to_rewrite_the_audit_trail(officer, sql):
    entry = audit_record(action=AuditAction.LOGGED_IN, actor=officer)
    with (
        pytest.raises((IntegrityError, InternalError)),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql)
    assert AuditEntry.objects.get(pk=entry.pk).actor_email == officer.email


def test_officers_see_the_audit_trail_filtered_by_action(client, officer, reviewer):
    audit_record(action=AuditAction.LOGGED_IN, actor=reviewer, ip="192.0.2.7")
    audit_record(action=AuditAction.DATA_EXPORTED, actor=officer, ip="192.0.2.8")
    client.force_login(officer)
    page = client.get(reverse("admin:privacy_auditentry_changelist"), {"action": "logged_in"})
    text = page.content.decode()
    assert "192.0.2.7" in text and "192.0.2.8" not in text
    assert (
        "reviewer@example.com"
        in client.get(
            reverse("admin:privacy_auditentry_changelist"), {"q": "reviewer@"}
        ).content.decode()
    )


def exported(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(body)))


def test_an_officer_exports_the_current_filter_as_streamed_csv(client, officer, make_lead):
    make_lead(account_name="Anna", status="qualified")
    make_lead("boris@example.com", "+79161112233", account_name="Boris")
    client.force_login(officer)
    response = client.get(reverse("admin:leads_lead_export"), {"status__exact": "qualified"})
    assert response.status_code == 200 and response.streaming
    rows = exported(response)
    assert rows[0][:3] == ["submitted_at", "account_name", "email"]
    assert [row[1] for row in rows[1:]] == ["Anna"]
    assert rows[1][3] == "'+79123456789"  # a leading + would be a formula in a spreadsheet
    export = DataExport.objects.get()
    assert (export.created_by, export.row_count, export.filters) == (
        officer,
        1,
        {"status__exact": ["qualified"]},
    )
    assert AuditEntry.objects.filter(action=AuditAction.DATA_EXPORTED, actor=officer).exists()


def test_the_export_leaves_blocked_people_out(client, officer, make_lead):
    anna = make_lead(account_name="Anna")
    make_lead("boris@example.com", "+79161112233", account_name="Boris")
    person_block(
        person=anna.person,
        requested_by=BlockRequester.PERSON,
        reason="Disputed",
        review_by=timezone.localdate() + timedelta(days=10),
        staff=officer,
    )
    client.force_login(officer)
    rows = exported(client.get(reverse("admin:leads_lead_export")))
    assert [row[1] for row in rows[1:]] == ["Boris"]
    assert DataExport.objects.get().row_count == 1


@pytest.mark.parametrize(
    ("value", "safe"),
    [
        ('=HYPERLINK("http://evil")', '\'=HYPERLINK("http://evil")'),
        ("+7912", "'+7912"),
        ("-1+2", "'-1+2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("Anna", "Anna"),
        (None, ""),
    ],
)
def test_cells_a_spreadsheet_would_run_are_defused(value, safe):
    assert csv_safe(value) == safe


# Every way a cell may start a formula: the ASCII starts, their full-width and small forms, the
# minus sign and dashes, each bare and behind spaces or invisible characters a spreadsheet
# skips. 13 starts x 6 leads = 78 risky cells.
STARTS = [
    "=",
    "+",
    "-",
    "@",
    "\uff1d",
    "\ufe66",
    "\uff0b",
    "\ufe62",
    "\uff0d",
    "\ufe63",
    "\uff20",
    "\u2212",
    "\u2013",
]  # full-width and small = + - @, the minus sign, an en dash
LEADS = ["", " ", "  \t", "\u00a0", "\u3000", "\u200b\ufeff"]
RISKY = [lead + start + "1+1" for start in STARTS for lead in LEADS]
HARMLESS = [
    "Anna",
    "a=b",
    "ivan@example.com",
    " Anna",
    "\u3000\u0411\u043e\u0440\u0438\u0441",
    "1-2",
    "100%",
    "",
    "\uff37",
]


@pytest.mark.parametrize("cell", RISKY)
def test_every_risky_start_is_defused_whatever_comes_before_it(cell):
    assert csv_safe(cell) == "'" + cell


@pytest.mark.parametrize("cell", HARMLESS)
def test_harmless_cells_are_left_as_they_are(cell):
    assert csv_safe(cell) == cell


def test_a_formula_behind_spaces_or_in_full_width_is_exported_as_text(client, officer, make_lead):
    referrer = ' \uff1dHYPERLINK("http://evil")'  # a space, then a full-width =
    make_lead(referrer=referrer, utm_source="  =1+1")
    client.force_login(officer)
    rows = exported(client.get(reverse("admin:leads_lead_export")))
    header = rows[0]
    assert rows[1][header.index("referrer")] == "'" + referrer
    assert rows[1][header.index("utm_source")] == "'  =1+1"


def test_a_formula_in_a_name_is_exported_as_text(client, officer, make_lead):
    make_lead(account_name='=cmd|" /C calc"!A0')
    client.force_login(officer)
    rows = exported(client.get(reverse("admin:leads_lead_export")))
    assert rows[1][1] == '\'=cmd|" /C calc"!A0'
