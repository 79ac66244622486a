"""The leads app's part of a person's data, registered with privacy (privacy never imports
leads): the access export, erasure, and correction with the lead form's own validation."""

from __future__ import annotations

import copy
from typing import Any

from django import forms

from privacy.people.holders import PersonalDataHolder, correction_form_register, holder_register
from privacy.people.models import Person

from .forms import LeadForm
from .models import Lead

# Everything a lead holds about the person (clause 3.2 and the visit metadata of 3.3).
PERSONAL_FIELDS = {
    "account_name": "",
    "phone": "",
    "email": "",
    "notes": "",
    "ip": None,
    "user_agent": "",
    "page_url": "",
    "referrer": "",
    "utm_source": "",
    "utm_medium": "",
    "utm_campaign": "",
    "utm_term": "",
    "utm_content": "",
    "ga_client_id": "",
    "ym_uid": "",
    "roistat_visit": "",
}
CORRECTABLE = ("account_name", "phone", "email")


def leads_export(person: Person) -> dict[str, Any]:
    return {
        "leads": [
            {
                "id": str(lead.public_id),
                "submitted_at": lead.created_at.isoformat(),
                "account_name": lead.account_name,
                "phone": lead.phone,
                "email": lead.email,
                "language": lead.language,
                # Where it was left: which form, through which door, from which site.
                "form": lead.form.name,
                "channel": lead.channel,
                "origin": lead.origin,
                "status": lead.status,
                "visit": {
                    "ip": lead.ip,
                    "user_agent": lead.user_agent,
                    "page_opened_at": lead.accessed_at.isoformat() if lead.accessed_at else None,
                    "page_url": lead.page_url,
                    "referrer": lead.referrer,
                    "utm": {
                        key: getattr(lead, f"utm_{key}")
                        for key in ("source", "medium", "campaign", "term", "content")
                    },
                    "cookies": {
                        "_ga": lead.ga_client_id,
                        "_ym_uid": lead.ym_uid,
                        "roistat_visit": lead.roistat_visit,
                    },
                },
            }
            for lead in Lead.objects.filter(person=person)
            .select_related("form")
            .order_by("created_at")
        ]
    }


def leads_count(person: Person) -> dict[str, int]:
    """How many leads erasure would anonymise (the rows stay, without data)."""
    return {"leads": Lead.objects.filter(person=person).count()}


def leads_erase(person: Person) -> dict[str, int]:
    """Anonymise the person's leads: the rows stay (counts, statuses), their data go."""
    return {"leads": Lead.objects.filter(person=person).update(**PERSONAL_FIELDS)}


def leads_correction_initial(person: Person) -> dict[str, str]:
    latest = Lead.objects.filter(person=person).order_by("-created_at").first()
    return {"account_name": latest.account_name} if latest else {}


def leads_correct(person: Person, cleaned: dict[str, str]) -> list[tuple[str, str, str]]:
    """Write corrected values on every lead of the person; return what changed."""
    changes = []
    leads = Lead.objects.filter(person=person)
    latest = leads.order_by("-created_at").first()
    if latest is None:
        return []
    for field in CORRECTABLE:
        value = cleaned.get(field)
        if value and leads.exclude(**{field: value}).exists():
            changes.append((field, getattr(latest, field), value))
            leads.update(**{field: value})
    return changes


class CorrectionForm(forms.Form):
    """The lead form's three fields, with its validation and normalisation."""

    account_name = copy.deepcopy(LeadForm.base_fields["account_name"])
    phone = copy.deepcopy(LeadForm.base_fields["phone"])
    email = copy.deepcopy(LeadForm.base_fields["email"])

    clean_account_name = LeadForm.clean_account_name
    clean_phone = LeadForm.clean_phone
    clean_email = LeadForm.clean_email


def register() -> None:
    holder_register(
        PersonalDataHolder(
            name="leads",
            export=leads_export,
            erase=leads_erase,
            correction_initial=leads_correction_initial,
            correct=leads_correct,
            count=leads_count,
        )
    )
    correction_form_register(CorrectionForm)
