"""The Celery app, configured from Django settings under the CELERY_ namespace."""

from __future__ import annotations

import os
from pathlib import Path

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "leadgen.settings")

app = Celery("leadgen")
app.config_from_object("django.conf:settings", namespace="CELERY")


def task_packages() -> list[str]:
    """Every installed app, and every domain package inside one, that may hold a tasks module.

    Apps that hold several domains (privacy) keep each domain's tasks in its own package, so
    no central module has to import them all to register them.
    """
    from django.apps import apps

    packages = []
    for config in apps.get_app_configs():
        packages.append(config.name)
        root = Path(config.path)
        packages += sorted(f"{config.name}.{p.parent.name}" for p in root.glob("*/tasks.py"))
    return packages


app.autodiscover_tasks(task_packages)
