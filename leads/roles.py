"""Which staff role holds which of the leads app's permissions (gathered by accounts.roles)."""

from __future__ import annotations

from accounts.roles import Grant, Role

# Campaigns show an audience count and progress, never who is in them: officers run consent-
# based mailings, publishers the re-consent mailing after a material policy change.
_CAMPAIGNS = (
    "view_campaign",
    "add_campaign",
    "change_campaign",
    "delete_campaign",
    "send_campaign",
)

ROLE_GRANTS = {
    Role.LEAD_REVIEWER: Grant(permissions=("view_lead", "change_lead")),
    Role.PRIVACY_OFFICER: Grant(permissions=("view_lead", "change_lead", *_CAMPAIGNS)),
    Role.POLICY_PUBLISHER: Grant(permissions=_CAMPAIGNS),
}
