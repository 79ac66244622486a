"""What every benchmark needs: a throwaway database of its own."""

from __future__ import annotations

from urllib.parse import urlparse


def recreate_database(url: str) -> None:
    """Drop and create the database named in `url` (PostgreSQL), connecting to `postgres`."""
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin_url = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
