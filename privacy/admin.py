"""Registers the admin of every privacy domain (Django's autodiscovery imports this module)."""

from privacy.blocks import admin as blocks_admin
from privacy.consent import admin as consent_admin
from privacy.documents import admin as documents_admin
from privacy.incidents import admin as incidents_admin
from privacy.outbox import admin as outbox_admin
from privacy.oversight import admin as oversight_admin
from privacy.register import admin as register_admin
from privacy.rights import admin as rights_admin

__all__ = [
    "blocks_admin",
    "consent_admin",
    "documents_admin",
    "incidents_admin",
    "outbox_admin",
    "oversight_admin",
    "register_admin",
    "rights_admin",
]
