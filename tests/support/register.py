"""A processing register in known states, for the tests of the register and of what it guards."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from privacy.register.integrations import EMAIL_PROVIDERS, SCRIPT_VENDORS, Integration
from privacy.register.models import CrossBorderNotice, Operator, Processor

# Long enough ago that any ten working days (holidays included) have passed.
LONG_AGO = timedelta(days=60)


def operator_notified(**fields) -> Operator:
    """The operator with its own Art. 22 notification recorded (a cross-border notice names it)."""
    operator = Operator.load()
    operator.rkn_notification_sent_on = date(2026, 1, 12)
    operator.rkn_notification_number = "77-26-001234"
    for name, value in fields.items():
        setattr(operator, name, value)
    operator.save()
    return operator


def integration_processor(integration: Integration) -> Processor:
    processor, _ = Processor.objects.get_or_create(
        integration_key=integration.key,
        defaults={
            "name_en": integration.name_en,
            "name_ru": integration.name_ru,
            "address": integration.address,
            "country": integration.country,
        },
    )
    return processor


def cross_border_notice(
    processors: list[Processor], *, received_on: date | None, countries: str = "US", **fields
) -> CrossBorderNotice:
    notice = CrossBorderNotice.objects.create(
        countries=countries,
        sent_on=(received_on or timezone.localdate()) - timedelta(days=1),
        received_by_rkn_on=received_on,
        **fields,
    )
    notice.processors.set(processors)
    return notice


def released(*keys: str) -> list[Processor]:
    """These integrations notified to Roskomnadzor long enough ago: they may receive data."""
    operator_notified()
    catalogue = {**SCRIPT_VENDORS, **{f"email:{k}": v for k, v in EMAIL_PROVIDERS.items()}}
    processors = [integration_processor(catalogue[key]) for key in keys]
    cross_border_notice(processors, received_on=timezone.localdate() - LONG_AGO)
    return processors
