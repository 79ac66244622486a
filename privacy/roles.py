"""Which staff role holds which of privacy's permissions (gathered by accounts.roles)."""

from __future__ import annotations

from accounts.roles import Grant, Role

# What a reviewer needs to read a lead's person: their consent and the messages sent.
_REVIEW = ("view_person", "view_consentrecord", "view_consentwording", "view_message")

ROLE_GRANTS = {
    Role.LEAD_REVIEWER: Grant(permissions=_REVIEW),
    Role.PRIVACY_OFFICER: Grant(
        permissions=(
            *_REVIEW,
            "view_block",
            "block_person",
            "lift_block",
            "export_person",
            "view_auditentry",
            "view_dataexport",
            "view_consentreceipt",
            "view_suppression",
            "retry_message",
            # Rights requests come from people: officers take, assign, answer and erase, but
            # never add or delete one.
            "view_rightsrequest",
            "change_rightsrequest",
            "answer_rightsrequest",
            "erase_person",
            # The registers of incidents and disclosures: written, corrected by new entries,
            # never deleted (the database refuses it too).
            "view_incident",
            "add_incident",
            "change_incident",
            "notify_incident",
            "view_disclosure",
            "add_disclosure",
        ),
        # The processing register (and its notices) is the officers' own: every permission.
        models=(
            "operator",
            "processingpurpose",
            "processor",
            "crossbordernotice",
            "changenotice",
            "registerrevision",
        ),
    ),
    Role.POLICY_PUBLISHER: Grant(
        permissions=(
            "view_documentversion",
            "add_documentversion",
            "change_documentversion",
            "delete_documentversion",
            "publish_documentversion",
            # The register the consent texts are checked against, and drafting them from it.
            "view_operator",
            "view_processingpurpose",
            "view_processor",
            "draft_consent_texts",
        )
    ),
}
