"""Which data-protection law's clocks the operator runs on (RIGHTS_CLOCK_MODE).

Rights requests and incidents both read it, so it lives below them.
"""

from __future__ import annotations

from django.conf import settings

MODE_RU = "ru"  # 152-FZ: working-day clocks, a 24-hour and a 72-hour incident notice
MODE_GDPR = "gdpr"  # GDPR: one month (extendable by two), one 72-hour incident notice


def clock_mode() -> str:
    return settings.RIGHTS_CLOCK_MODE
