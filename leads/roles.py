"""Which staff role holds which of the leads app's permissions (gathered by accounts.roles)."""

from __future__ import annotations

from accounts.roles import Grant, Role

# Campaigns show an audience count and progress, never who is in them. The campaign manager
# runs every kind (re-consent too); officers see what was mailed, since they answer the
# complaints about it; publishers keep to the legal texts.
_CAMPAIGNS = (
    "view_campaign",
    "add_campaign",
    "change_campaign",
    "delete_campaign",
    "send_campaign",
)

# Forms: those who work leads see each form's statistics and settings (no personal data);
# changing a form or holding its API keys stays with superusers, who run the sites.
ROLE_GRANTS = {
    Role.LEAD_REVIEWER: Grant(permissions=("view_lead", "change_lead", "view_landingform")),
    Role.PRIVACY_OFFICER: Grant(
        permissions=("view_lead", "change_lead", "view_campaign", "view_landingform")
    ),
    Role.CAMPAIGN_MANAGER: Grant(permissions=_CAMPAIGNS),
}
