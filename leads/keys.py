"""API keys: issued per form, shown once, kept as a hash, rotated with an overlap, revoked.

A key reads `lg_<id>_<secret>`: the id (8 characters) names the key in lists, logs and consent
records; the secret (256 random bits) is never stored, only the SHA-256 of the whole key.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta
from functools import cache

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from privacy.audit.models import AuditAction
from privacy.audit.services import audit_record
from privacy.people.ratelimit import rate_limit_hit

from .models import ApiKey, LandingForm

KEY_PATTERN = re.compile(r"lg_([a-z0-9]{8})_([A-Za-z0-9_-]{43})")
_ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"
KEY_REVOKED_ALREADY = _("This key was revoked already.")
KEY_ROTATED_ALREADY = _("This key was rotated already: rotate its replacement.")
OVERLAP_INVALID = _("The overlap is 0 to 2160 hours (90 days).")
MAX_OVERLAP_HOURS = 24 * 90


class ApiKeyError(Exception):
    """A key operation that cannot be done; the message says why."""


@dataclass(frozen=True)
class IssuedKey:
    """A new key and its secret, which exists only here: shown once, then gone."""

    key: ApiKey
    secret: str


def key_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _new_secret() -> tuple[str, str]:
    prefix = "".join(secrets.choice(_ID_ALPHABET) for _ in range(8))
    raw = f"lg_{prefix}_{secrets.token_urlsafe(32)}"
    return prefix, raw


def api_key_issue(
    *, form: LandingForm, name: str, staff: User | None, rate_limit: str = "", ip: str | None = None
) -> IssuedKey:
    """Create a key for `form`; the returned secret is the only copy there will ever be."""
    prefix, raw = _new_secret()
    key = ApiKey.objects.create(
        form=form,
        name=name,
        prefix=prefix,
        secret_hash=key_hash(raw),
        rate_limit=rate_limit,
        created_by=staff,
    )
    audit_record(
        action=AuditAction.API_KEY_ISSUED,
        actor=staff,
        obj=key,
        detail={"key": key.key_id, "form": form.slug, "name": name},
        ip=ip,
    )
    return IssuedKey(key=key, secret=raw)


def api_key_rotate(
    *, key: ApiKey, staff: User | None, overlap_hours: int | None = None, ip: str | None = None
) -> IssuedKey:
    """Issue a replacement for `key`; the old one keeps working for `overlap_hours`, then stops.

    The overlap lets the landing page's back end switch keys without a moment of refusals.
    """
    hours = settings.API_KEY_ROTATION_OVERLAP_HOURS if overlap_hours is None else overlap_hours
    if not 0 <= hours <= MAX_OVERLAP_HOURS:
        raise ApiKeyError(OVERLAP_INVALID)
    with transaction.atomic():
        old = ApiKey.objects.select_for_update().get(pk=key.pk)
        if old.revoked_at is not None:
            raise ApiKeyError(KEY_REVOKED_ALREADY)
        if old.replaced_by_id is not None:
            raise ApiKeyError(KEY_ROTATED_ALREADY)
        issued = api_key_issue(
            form=old.form, name=old.name, staff=staff, rate_limit=old.rate_limit, ip=ip
        )
        until = timezone.now() + timedelta(hours=hours)
        ApiKey.objects.filter(pk=old.pk).update(replaced_by=issued.key, expires_at=until)
        audit_record(
            action=AuditAction.API_KEY_ROTATED,
            actor=staff,
            obj=old,
            detail={
                "key": old.key_id,
                "replaced_by": issued.key.key_id,
                "works_until": until.isoformat(),
            },
            ip=ip,
        )
    key.refresh_from_db()
    return issued


def api_key_revoke(*, key: ApiKey, staff: User | None, ip: str | None = None) -> None:
    """Refuse `key` from now on (a replacement it was rotated to keeps working)."""
    revoked = ApiKey.objects.filter(pk=key.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_by=staff
    )
    if not revoked:
        raise ApiKeyError(KEY_REVOKED_ALREADY)
    audit_record(
        action=AuditAction.API_KEY_REVOKED,
        actor=staff,
        obj=key,
        detail={"key": key.key_id, "form": key.form.slug},
        ip=ip,
    )
    key.refresh_from_db()


def api_key_authenticate(*, raw: str, ip: str | None) -> ApiKey | None:
    """The working key `raw` is, with this use counted (time, address, count); else None.

    Every use of a working key is counted, refused ones too (over the rate limit, a wrong
    form): the count is what was done with the key, not what it achieved. On PostgreSQL the
    key comes with its form, read in the same statement.
    """
    if not KEY_PATTERN.fullmatch(raw):
        return None
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    # One statement, one round trip: it finds the key and counts the use, so concurrent uses
    # add up and none is lost to a read-modify-write. On PostgreSQL its commit does not wait
    # for the disk (a crash may forget the last few counts, which are statistics, never proof:
    # each lead names its key, in a commit that does wait), but only when the statement is its
    # own transaction: inside a caller's, that would cover whatever else the caller writes.
    postgresql = connection.vendor == "postgresql"
    relaxed = postgresql and not connection.in_atomic_block
    with connection.cursor() as cursor:
        cursor.execute(_authenticate_sql(postgresql, relaxed), [now, ip, key_hash(raw), now])
        row = cursor.fetchone()
    if row is None:
        return None
    key = ApiKey.from_db(connection.alias, list(_KEY_COLUMNS), list(row[: len(_KEY_COLUMNS)]))
    if postgresql:
        key.form = LandingForm.from_db(
            connection.alias, list(_FORM_COLUMNS), list(row[len(_KEY_COLUMNS) :])
        )
    return key


# What the view needs of a key (the rest stay deferred), in the model's order, which is the
# order Model.from_db reads a subset in; and all of its form.
_KEY_NEEDED = {"id", "form_id", "prefix", "name", "rate_limit"}
_KEY_COLUMNS = tuple(f.attname for f in ApiKey._meta.concrete_fields if f.attname in _KEY_NEEDED)
_FORM_COLUMNS = tuple(f.attname for f in LandingForm._meta.concrete_fields)


@cache
def _authenticate_sql(with_form: bool, relaxed: bool) -> str:
    quote = connection.ops.quote_name
    key_table, form_table = quote(ApiKey._meta.db_table), quote(LandingForm._meta.db_table)
    returned = [f"{key_table}.{quote(column)}" for column in _KEY_COLUMNS]
    join = ""
    if with_form:  # PostgreSQL returns a joined table's columns; SQLite cannot
        returned += [f"{form_table}.{quote(column)}" for column in _FORM_COLUMNS]
        join = f"FROM {form_table} WHERE {form_table}.id = {key_table}.form_id AND "
    # synchronous_commit off for this statement's own transaction only (is_local), set by a
    # subquery PostgreSQL evaluates once: no BEGIN, SET and COMMIT round trips around it.
    relax = (
        "AND (SELECT set_config('synchronous_commit', 'off', true)) IS NOT NULL "
        if relaxed
        else ""
    )
    return (
        f"UPDATE {key_table} "  # noqa: S608 (our tables and columns only)
        "SET use_count = use_count + 1, last_used_at = %s, last_used_ip = %s "
        f"{join or 'WHERE '}secret_hash = %s AND revoked_at IS NULL "
        f"AND (expires_at IS NULL OR expires_at > %s) {relax}"
        f"RETURNING {', '.join(returned)}"
    )


def api_key_over_limit(key: ApiKey) -> bool:
    """Count one submission against the key's rate limit; True when it is over."""
    return rate_limit_hit(
        scope="api-key", key=key.prefix, rate=key.rate_limit or settings.API_KEY_RATE_LIMIT
    )
