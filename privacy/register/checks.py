"""The deploy check of the guard: `manage.py check --deploy` fails while a foreign processor
is in use before its cross-border notice and waiting period (152-FZ Art. 12).

Django runs no system check when a WSGI server starts, so docker-compose runs
`check --deploy --fail-level ERROR` after migrating and before the web and workers start.
"""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage, Error, Tags, Warning, register
from django.db import DatabaseError

from privacy.people.law import MODE_RU, clock_mode

CANNOT_READ = "privacy.E300"
CANNOT_READ_WARNING = "privacy.W300"


@register(Tags.security, deploy=True)
def cross_border_guard(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    from privacy.register.guard import UNREADABLE, processors_guarded
    from privacy.register.integrations import integrations_configured

    if clock_mode() != MODE_RU:
        return []
    try:
        guarded = processors_guarded()
    except DatabaseError as exc:
        abroad = [i.name_en for i in integrations_configured() if i.country != "RU"]
        if abroad:
            return [
                Error(
                    f"{', '.join(abroad)}: {UNREADABLE} ({exc.__class__.__name__}).",
                    hint="Run migrate first, and check DATABASE_URL.",
                    id=CANNOT_READ,
                )
            ]
        return [
            Warning(
                f"{UNREADABLE} ({exc.__class__.__name__}); processors recorded by hand were "
                "not checked.",
                hint="Run migrate first, and check DATABASE_URL.",
                id=CANNOT_READ_WARNING,
            )
        ]
    return [
        Error(
            f"{item.processor} may not receive personal data yet: {item.state.reason}.",
            hint=(
                "Record the cross-border notice in the processing register (admin), or switch "
                "the integration off until transfer may start. 152-FZ Art. 12."
            ),
            obj=item.integration.key if item.integration else item.processor,
            id=item.state.code,
        )
        for item in guarded
        if not item.state.allowed
    ]
