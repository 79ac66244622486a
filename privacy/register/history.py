"""What the register's history records of each entry: its fields as text, and which item of
Art. 22 part 3 a change of each one alters (then a change notice is due, Art. 22 part 7)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import models

from privacy.register.models import (
    ChangeNotice,
    CrossBorderNotice,
    Operator,
    ProcessingPurpose,
    Processor,
)

# Field -> the Art. 22 part 3 item it is part of ("" when none).
NOTIFIABLE: dict[type[models.Model], dict[str, str]] = {
    Operator: {
        "full_name_ru": "1",
        "short_name_ru": "1",
        "inn": "1",
        "ogrn": "1",
        "legal_address_ru": "1",
        "security_measures_ru": "7",
        "crypto_tools": "7",
        "postal_address_ru": "7.1",
        "responsible_name": "7.1",
        "responsible_phone": "7.1",
        "responsible_email": "7.1",
        "responsible_postal_address": "7.1",
        "processing_start_date": "8",
        "processing_end_condition_ru": "9",
        "database_locations": "10.1",
        "security_level": "11",
    },
    ProcessingPurpose: {
        "title_ru": "2",
        "active": "2",
        "data_items": "3",
        "subject_categories_ru": "4",
        "legal_basis_ru": "5",
        "actions": "6",
        "methods": "6",
    },
    # Only while the processor is abroad (before or after): item 10 is about cross-border
    # transfer and its countries.
    Processor: {"country": "10", "data_locations": "10", "enabled": "10"},
    CrossBorderNotice: {},
    ChangeNotice: {},
}

ENTITY_NAMES = {
    Operator: "operator",
    ProcessingPurpose: "purpose",
    Processor: "processor",
    CrossBorderNotice: "cross_border_notice",
    ChangeNotice: "change_notice",
}


def field_label(model: type[models.Model], name: str) -> str:
    return str(getattr(model._meta.get_field(name), "verbose_name", name))


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value)
    return str(value)


def entry_snapshot(instance: models.Model) -> dict[str, str]:
    """Every editable field of a register entry as text, many-to-many ones as names."""
    snapshot: dict[str, str] = {}
    for field in instance._meta.get_fields():
        if field.auto_created or not getattr(field, "editable", False):
            continue
        if field.many_to_many:
            if instance.pk is None:
                snapshot[field.name] = ""
            else:
                related = getattr(instance, field.name).all()
                snapshot[field.name] = ", ".join(sorted(str(item) for item in related))
        elif field.concrete:
            snapshot[field.name] = _as_text(getattr(instance, field.attname))
    return snapshot


def notifiable_item(instance: models.Model, field: str, before: dict[str, str]) -> str:
    item = NOTIFIABLE.get(type(instance), {}).get(field, "")
    if item and isinstance(instance, Processor):
        was_abroad = bool(before) and (
            before.get("country", "") != "RU"
            or any(
                code.strip() not in ("", "RU")
                for code in before.get("data_locations", "").split(",")
            )
        )
        if not (instance.is_cross_border or was_abroad):
            return ""
    return item
