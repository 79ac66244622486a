import re
from pathlib import Path

import pytest
from django.core.management import call_command

from privacy.documents.models import DocumentKind, DocumentVersion

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[3]
SEED = ROOT.parent / "shared" / "seed" / "privacy-policy.txt"


def words(text: str) -> list[str]:
    return re.sub(r"[#*•\\-]", " ", text).split()


@pytest.mark.skipif(not SEED.exists(), reason="the shared seed is beside the checkout")
def test_the_fixture_holds_the_seed_policy_word_for_word():
    fixture = (ROOT / "privacy" / "fixtures" / "privacy-policy-v1.md").read_text()

    assert words(fixture) == words(SEED.read_text())


def test_load_demo_publishes_version_1_of_each_document_once(capsys):
    call_command("load_demo")
    call_command("load_demo")

    for kind in DocumentKind:
        versions = DocumentVersion.objects.of_kind(kind).published()
        assert versions.count() == 1
        assert versions.get().number == 1
    assert "Admin login: admin@example.com" in capsys.readouterr().out


def test_privacy_page_shows_the_seeded_policy(client, published_documents):
    response = client.get("/privacy/")

    assert response.status_code == 200
    assert "Version 1" in response.text
    assert "2.4. The Site Administration does not verify" in response.text
    policy = published_documents[DocumentKind.PRIVACY_POLICY]
    assert policy.text("en").sha256 in response.text
