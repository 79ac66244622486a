"""Identifiers of the statistics and advertising scripts the cookie tests configure."""

from __future__ import annotations

import re

METRICA_ID = "98765432"
GA_ID = "G-TEST1234"
ROISTAT_ID = "abc123"
VK_ID = "3456789"

NONCE = re.compile(r"'nonce-([^']+)'")


def csp_nonce(response) -> str:
    match = NONCE.search(response["Content-Security-Policy"])
    assert match, "the policy carries a nonce"
    return match.group(1)
