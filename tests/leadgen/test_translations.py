"""Public pages speak Russian: the catalogue is complete and the compiled file is current."""

import gettext
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "locale" / "ru" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
ENTRY = re.compile(r'^msgid ((?:"(?:[^"\\]|\\.)*"\n)+)msgstr ((?:"(?:[^"\\]|\\.)*"\n?)+)', re.M)


def po_entries() -> dict[str, str]:
    def join(chunk: str) -> str:
        return (
            "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', chunk))
            .encode()
            .decode("unicode_escape")
            .encode("latin-1")
            .decode("utf-8")
        )

    return {join(msgid): join(msgstr) for msgid, msgstr in ENTRY.findall(PO.read_text())}


def test_every_string_has_a_russian_translation_and_none_is_fuzzy():
    entries = po_entries()
    untranslated = [msgid for msgid, msgstr in entries.items() if msgid and not msgstr]

    assert untranslated == []
    assert "#, fuzzy" not in PO.read_text()


def test_the_compiled_catalogue_matches_the_source():
    with MO.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)

    for msgid, msgstr in po_entries().items():
        if msgid:
            assert compiled.gettext(msgid) == msgstr, f"recompile: {msgid!r}"
