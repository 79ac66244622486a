"""What every benchmark needs: a throwaway database of its own, and Django set up on it."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]  # the repository root


def recreate_database(url: str) -> None:
    """Drop and create the database named in `url` (PostgreSQL), connecting to `postgres`."""
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin_url = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def django_setup(*, database_url: str, redis_url: str) -> None:
    """Set Django up on the bench's own database, with the test settings and DEBUG off.

    An empty redis_url means no Redis: the cache in memory and tasks in-process.
    """
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("REDIS_URL", redis_url)
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.settings"
    os.environ["DEBUG"] = "false"  # DEBUG keeps every query in memory
    import django

    django.setup()
