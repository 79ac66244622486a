from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "privacy"
    verbose_name = _("Privacy")

    def ready(self) -> None:
        from anymail.signals import tracking

        from .webhooks import on_tracking_event

        tracking.connect(on_tracking_event, dispatch_uid="privacy.suppress-on-provider-event")
