"""The guard: a foreign processor gets no data until its cross-border notice is recorded and
its waiting period has passed (152-FZ Art. 12 parts 3, 9-11).

It bites in two places: the deploy system check (checks.py) for everything configured, and the
cookie banner, which leaves a held-back script out (privacy.cookies.banner asks the holds
registered with it; this module registers one). Only under Russian law (RIGHTS_CLOCK_MODE=ru).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from django.db import DatabaseError
from django.utils.translation import get_language

from privacy.cookies.banner import Script
from privacy.people.law import MODE_RU, clock_mode
from privacy.register.clocks import TransferState
from privacy.register.integrations import (
    SCRIPT_VENDORS,
    Integration,
    integrations_configured,
)
from privacy.register.models import CrossBorderNotice, Operator, Processor
from privacy.register.selectors import processor_transfer_state

log = logging.getLogger(__name__)

# How long a process trusts what it read of the register before reading it again: the banner
# asks on every page. A change made in this process clears it at once; other processes see it
# within this many seconds.
HOLD_CACHE_SECONDS = 60
UNREADABLE = "the processing register cannot be read, so its cross-border notices cannot be checked"

# Per language, since the reasons are shown to staff in theirs.
_cache: dict[str, tuple[float, dict[str, str]]] = {}


def guard_cache_clear() -> None:
    _cache.clear()


@dataclass(frozen=True)
class Guarded:
    """A processor in use and whether it may receive data now."""

    integration: Integration | None
    processor: Processor
    state: TransferState


def _processor_for(integration: Integration, known: dict[str, Processor]) -> Processor:
    """The register's entry for an integration; the catalogue's details until there is one."""
    entry = known.get(integration.key)
    if entry is not None:
        return entry
    return Processor(
        integration_key=integration.key,
        name_en=integration.name_en,
        name_ru=integration.name_ru,
        country=integration.country,
    )


def processors_guarded() -> list[Guarded]:
    """Every processor in use (the configured integrations and the entries marked in use),
    with its transfer state today. Raises DatabaseError when the register cannot be read."""
    configured = integrations_configured()
    known = {
        p.integration_key: p
        for p in Processor.objects.filter(integration_key__isnull=False)
        if p.integration_key
    }
    notices = list(CrossBorderNotice.objects.prefetch_related("processors"))
    operator = Operator.objects.filter(pk=1).first() or Operator(pk=1)
    found: list[Guarded] = []

    def state_of(processor: Processor) -> TransferState:
        covering = [n for n in notices if processor.pk and processor in n.processors.all()]
        return processor_transfer_state(processor, notices=covering, operator=operator)

    for integration in configured:
        processor = _processor_for(integration, known)
        found.append(Guarded(integration, processor, state_of(processor)))
    for processor in Processor.objects.filter(integration_key__isnull=True, enabled=True):
        found.append(Guarded(None, processor, state_of(processor)))
    return found


def scripts_held(scripts: list[Script]) -> dict[str, str]:
    """The cookie banner's hold: each configured script whose vendor may not receive data yet,
    with the reason staff are shown."""
    if not scripts or clock_mode() != MODE_RU:
        return {}
    now = time.monotonic()
    language = get_language() or ""
    cached = _cache.get(language)
    if cached is not None and cached[0] > now:
        held = cached[1]
    else:
        try:
            held = {
                g.integration.key.removeprefix("script:"): f"{g.processor}: {g.state.reason}"
                for g in processors_guarded()
                if g.integration is not None
                and g.integration.key.startswith("script:")
                and not g.state.allowed
            }
        except DatabaseError:
            # Fail closed for what the catalogue places abroad; say so in the log.
            log.exception("cookie banner: %s", UNREADABLE)
            held = {
                key: f"{vendor.name_en}: {UNREADABLE}"
                for key, vendor in SCRIPT_VENDORS.items()
                if vendor.country != "RU"
            }
        _cache[language] = (now + HOLD_CACHE_SECONDS, held)
    return {script.key: held[script.key] for script in scripts if script.key in held}
