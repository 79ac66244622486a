from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LeadsConfig(AppConfig):
    name = "leads"
    verbose_name = _("Leads")

    def ready(self) -> None:
        # Campaigns register their admin here: leads/admin.py holds the lead review.
        from . import campaign_admin  # noqa: F401

        # The leads' part of a person's data: access export, erasure, correction.
        from .privacy_hooks import register

        register()

        # Publishing a material change offers to start a re-consent campaign in the same step.
        from privacy.documents.reconsent import reconsent_starter_register

        from .campaigns import CampaignReconsent

        reconsent_starter_register(CampaignReconsent())
