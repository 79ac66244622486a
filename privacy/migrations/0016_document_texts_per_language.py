"""Each version of a legal document carries its text in every language: DocumentText.

The title, body, summary of changes and hash move from the version to one text per language;
the version keeps what all its languages share (kind, number, dates, material). Every text
written before this migration was English, the only language versions had, so each becomes
that version's English text with its hash unchanged: the consent records that name it
(policy_sha256, consent_sha256) still name the same text.

A published version's texts are frozen with it: a trigger refuses to insert, change or delete
a text of a published version (PostgreSQL and SQLite), beside the version's own guard of
migration 0002. The guards are dropped while the columns move (SQLite rebuilds the table, which
drops its triggers; the reverse writes the texts back into published versions) and recreated.
Reversible: the English text (else the first one) goes back into the version's columns.
"""

import django.db.models.deletion
from django.db import migrations, models

LEGACY_LANGUAGE = "en"

VERSION_GUARD_POSTGRES = r"""
CREATE OR REPLACE FUNCTION privacy_documentversion_guard() RETURNS trigger AS $$
BEGIN
    IF OLD.status = 'published' THEN
        RAISE EXCEPTION 'privacy_documentversion %: a published version never changes', OLD.id
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql;

CREATE TRIGGER privacy_documentversion_guard
    BEFORE UPDATE OR DELETE ON privacy_documentversion
    FOR EACH ROW EXECUTE FUNCTION privacy_documentversion_guard();
"""

TEXT_GUARD_POSTGRES = r"""
CREATE OR REPLACE FUNCTION privacy_documenttext_guard() RETURNS trigger AS $$
BEGIN
    IF (TG_OP <> 'INSERT' AND EXISTS (
            SELECT 1 FROM privacy_documentversion AS v
            WHERE v.id = OLD.version_id AND v.status = 'published'))
       OR (TG_OP <> 'DELETE' AND EXISTS (
            SELECT 1 FROM privacy_documentversion AS v
            WHERE v.id = NEW.version_id AND v.status = 'published'))
    THEN
        RAISE EXCEPTION 'privacy_documenttext: the texts of a published version never change'
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql;

CREATE TRIGGER privacy_documenttext_guard
    BEFORE INSERT OR UPDATE OR DELETE ON privacy_documenttext
    FOR EACH ROW EXECUTE FUNCTION privacy_documenttext_guard();
"""

DROP_VERSION_GUARD_POSTGRES = """
DROP TRIGGER IF EXISTS privacy_documentversion_guard ON privacy_documentversion;
DROP FUNCTION IF EXISTS privacy_documentversion_guard();
"""
DROP_TEXT_GUARD_POSTGRES = """
DROP TRIGGER IF EXISTS privacy_documenttext_guard ON privacy_documenttext;
DROP FUNCTION IF EXISTS privacy_documenttext_guard();
"""

_PUBLISHED = "(SELECT status FROM privacy_documentversion WHERE id = {row}.version_id) = 'published'"
_TEXT_FROZEN = "BEGIN SELECT RAISE(ABORT, 'the texts of a published version never change'); END"
_VERSION_FROZEN = "BEGIN SELECT RAISE(ABORT, 'a published version never changes'); END"

VERSION_GUARD_SQLITE = [
    f"""CREATE TRIGGER privacy_documentversion_no_update BEFORE UPDATE ON privacy_documentversion
       WHEN OLD.status = 'published' {_VERSION_FROZEN}""",
    f"""CREATE TRIGGER privacy_documentversion_no_delete BEFORE DELETE ON privacy_documentversion
       WHEN OLD.status = 'published' {_VERSION_FROZEN}""",
]
TEXT_GUARD_SQLITE = [
    f"""CREATE TRIGGER privacy_documenttext_no_insert BEFORE INSERT ON privacy_documenttext
       WHEN {_PUBLISHED.format(row="NEW")} {_TEXT_FROZEN}""",
    f"""CREATE TRIGGER privacy_documenttext_no_update BEFORE UPDATE ON privacy_documenttext
       WHEN {_PUBLISHED.format(row="OLD")} OR {_PUBLISHED.format(row="NEW")} {_TEXT_FROZEN}""",
    f"""CREATE TRIGGER privacy_documenttext_no_delete BEFORE DELETE ON privacy_documenttext
       WHEN {_PUBLISHED.format(row="OLD")} {_TEXT_FROZEN}""",
]
DROP_VERSION_GUARD_SQLITE = [
    "DROP TRIGGER IF EXISTS privacy_documentversion_no_update",
    "DROP TRIGGER IF EXISTS privacy_documentversion_no_delete",
]
DROP_TEXT_GUARD_SQLITE = [
    "DROP TRIGGER IF EXISTS privacy_documenttext_no_insert",
    "DROP TRIGGER IF EXISTS privacy_documenttext_no_update",
    "DROP TRIGGER IF EXISTS privacy_documenttext_no_delete",
]


def _run(schema_editor, postgres, sqlite):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for statement in postgres:
            schema_editor.execute(statement, params=None)  # '%' in RAISE is literal
    elif vendor == "sqlite":
        for statement in sqlite:
            schema_editor.execute(statement)
    else:
        raise NotImplementedError(f"No database guards written for {vendor}.")


def drop_version_guard(apps, schema_editor):
    _run(schema_editor, [DROP_VERSION_GUARD_POSTGRES], DROP_VERSION_GUARD_SQLITE)


def create_version_guard(apps, schema_editor):
    _run(schema_editor, [VERSION_GUARD_POSTGRES], VERSION_GUARD_SQLITE)


def create_guards(apps, schema_editor):
    _run(
        schema_editor,
        [VERSION_GUARD_POSTGRES, TEXT_GUARD_POSTGRES],
        [*VERSION_GUARD_SQLITE, *TEXT_GUARD_SQLITE],
    )


def drop_guards(apps, schema_editor):
    _run(
        schema_editor,
        [DROP_TEXT_GUARD_POSTGRES, DROP_VERSION_GUARD_POSTGRES],
        [*DROP_TEXT_GUARD_SQLITE, *DROP_VERSION_GUARD_SQLITE],
    )


def texts_from_versions(apps, schema_editor):
    DocumentVersion = apps.get_model("privacy", "DocumentVersion")
    DocumentText = apps.get_model("privacy", "DocumentText")
    DocumentText.objects.bulk_create(
        DocumentText(
            version_id=version.pk,
            language=LEGACY_LANGUAGE,
            title=version.title,
            body=version.body,
            change_summary=version.change_summary,
            sha256=version.sha256,
        )
        for version in DocumentVersion.objects.all().iterator()
    )


def texts_back_into_versions(apps, schema_editor):
    DocumentVersion = apps.get_model("privacy", "DocumentVersion")
    DocumentText = apps.get_model("privacy", "DocumentText")
    for version in DocumentVersion.objects.all().iterator():
        texts = {t.language: t for t in DocumentText.objects.filter(version_id=version.pk)}
        text = texts.get(LEGACY_LANGUAGE) or next(iter(sorted(texts.items())), (None, None))[1]
        if text is None:
            continue
        DocumentVersion.objects.filter(pk=version.pk).update(
            title=text.title,
            body=text.body,
            change_summary=text.change_summary,
            sha256=text.sha256,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("privacy", "0015_registers_corrections"),
    ]

    operations = [
        migrations.RunPython(drop_version_guard, create_version_guard),
        migrations.CreateModel(
            name="DocumentText",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "version",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="texts",
                        to="privacy.documentversion",
                        verbose_name="version",
                    ),
                ),
                ("language", models.CharField(max_length=8, verbose_name="language")),
                ("title", models.CharField(max_length=200, verbose_name="title")),
                ("body", models.TextField(verbose_name="body (Markdown)")),
                (
                    "change_summary",
                    models.TextField(
                        blank=True,
                        help_text="Required for a material change: people read it before "
                        "consenting again.",
                        verbose_name="summary of changes",
                    ),
                ),
                (
                    "sha256",
                    models.CharField(
                        blank=True, editable=False, max_length=64, verbose_name="SHA-256 of the text"
                    ),
                ),
            ],
            options={
                "verbose_name": "text",
                "verbose_name_plural": "texts in each language",
                "ordering": ["version", "language"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("version", "language"), name="document_text_one_per_language"
                    )
                ],
            },
        ),
        migrations.RemoveConstraint(
            model_name="documentversion",
            name="published_version_complete",
        ),
        migrations.AlterField(
            model_name="documentversion",
            name="material",
            field=models.BooleanField(
                default=False,
                help_text="A material change needs a summary of changes in every language, and "
                "publishing it offers to ask people to consent again.",
                verbose_name="material change",
            ),
        ),
        migrations.RunPython(texts_from_versions, texts_back_into_versions),
        # Defaults first, so that the reverse can add the columns back to existing rows.
        migrations.AlterField(
            model_name="documentversion",
            name="title",
            field=models.CharField(default="", max_length=200, verbose_name="title"),
        ),
        migrations.AlterField(
            model_name="documentversion",
            name="body",
            field=models.TextField(default="", verbose_name="body (Markdown)"),
        ),
        migrations.RemoveField(model_name="documentversion", name="body"),
        migrations.RemoveField(model_name="documentversion", name="change_summary"),
        migrations.RemoveField(model_name="documentversion", name="sha256"),
        migrations.RemoveField(model_name="documentversion", name="title"),
        migrations.AddConstraint(
            model_name="documentversion",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("status", "draft"),
                    models.Q(
                        ("effective_at__isnull", False),
                        ("number__isnull", False),
                        ("published_at__isnull", False),
                    ),
                    _connector="OR",
                ),
                name="published_version_complete",
            ),
        ),
        migrations.RunPython(create_guards, drop_guards),
    ]
