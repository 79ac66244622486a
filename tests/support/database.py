"""The test database as a URL, for a manage.py process that must read what a test committed."""

from __future__ import annotations


def database_url_of(connection) -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
