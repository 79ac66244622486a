from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LeadsConfig(AppConfig):
    name = "leads"
    verbose_name = _("Leads")

    def ready(self) -> None:
        # Campaigns register their admin here: leads/admin.py holds the lead review.
        from . import campaign_admin, form_admin  # noqa: F401

        # The leads' part of a person's data: access export, erasure, correction.
        from .privacy_hooks import register

        register()

        # Publishing a material change offers to start a re-consent campaign in the same step.
        from privacy.documents.reconsent import reconsent_starter_register

        from .campaigns import CampaignReconsent

        reconsent_starter_register(CampaignReconsent())

        # CORS answers each form's own sites only (leads/cors.py). A signal because that is
        # how django-cors-headers asks; the receiver only answers the question.
        from corsheaders.signals import check_request_enabled

        from .cors import form_origin_allowed

        check_request_enabled.connect(form_origin_allowed, dispatch_uid="leads.cors")
