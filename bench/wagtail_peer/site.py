"""Builds the Wagtail peer's database: migrate, then the form page as the site's root, at /.

Run in a process of its own (it sets up Django with the peer's settings), from the repository
root:

    .venv/bin/python -m bench.wagtail_peer.site
"""

from __future__ import annotations

import os

SETTINGS_MODULE = "bench.wagtail_peer.settings"
# In the landing page only, never in the form page: a 200 with it is a stored submission.
LANDING_TEXT = "Thank you, we will call you back."
# (label, field type, required); Wagtail names each field from its label: account_name, ...
FIELDS = (
    ("Account name", "singleline", True),
    ("Phone", "singleline", True),
    ("Email", "email", True),
    ("Consent", "checkbox", True),
)
FIELD_NAMES = ("account_name", "phone", "email", "consent")
SUBMISSION_TABLE = "wagtailforms_formsubmission"


def database_url() -> str:
    from bench.wagtail_peer.settings import DATABASE_URL_DEFAULT

    return os.environ.get("BENCH_WAGTAIL_DATABASE_URL", DATABASE_URL_DEFAULT)


def prepare() -> None:
    """Recreate the peer's database, migrate it and publish the form page at /."""
    from bench.common import recreate_database

    recreate_database(database_url())
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS_MODULE
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    build_site()


def build_site() -> None:
    from django.db import transaction
    from wagtail.models import Page, Site

    from bench.wagtail_peer.models import FormField, FormPage

    with transaction.atomic():
        root = Page.get_first_root_node()
        # The welcome page of Wagtail's initial migration goes, with the default site on it.
        for page in root.get_children():
            page.delete()
        page = FormPage(
            title="Request a call",
            slug="lead",
            intro="<p>Leave your details and we will call you back.</p>",
            thank_you_text=f"<p>{LANDING_TEXT}</p>",
            form_fields=[
                FormField(
                    label=label,
                    field_type=field_type,
                    required=required,
                    help_text=(
                        "I agree to the processing of my personal data"
                        if field_type == "checkbox"
                        else ""
                    ),
                )
                for label, field_type, required in FIELDS
            ],
        )
        root.add_child(instance=page)
        page.save_revision().publish()
        Site.objects.create(hostname="127.0.0.1", port=80, root_page=page, is_default_site=True)
    names = tuple(field.clean_name for field in page.get_form_fields())
    if names != FIELD_NAMES:
        raise RuntimeError(f"form fields are named {names}, expected {FIELD_NAMES}")


if __name__ == "__main__":
    prepare()
