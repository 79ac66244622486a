from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "privacy"
    verbose_name = _("Privacy")

    def ready(self) -> None:
        from anymail.signals import tracking
        from django.core.checks import Tags, register

        from .outbox.webhooks import on_tracking_event, webhook_deploy_check

        tracking.connect(on_tracking_event, dispatch_uid="privacy.suppress-on-provider-event")
        register(webhook_deploy_check, Tags.security, deploy=True)

        from django.contrib.auth.signals import user_logged_in, user_login_failed

        from .audit.services import on_logged_in, on_login_failed

        user_logged_in.connect(on_logged_in, dispatch_uid="privacy.audit-login")
        user_login_failed.connect(on_login_failed, dispatch_uid="privacy.audit-login-failed")

        from .incidents.services import DISCLOSURES
        from .oversight.services import STAFF_EXPORTS
        from .people.holders import holder_register

        # Registers of their own that hold a person's data, like the apps above privacy do.
        holder_register(DISCLOSURES)
        holder_register(STAFF_EXPORTS)

        from .cookies.banner import script_hold_register
        from .documents.services import publish_check_register
        from .register import checks  # noqa: F401 (registers the deploy check)
        from .register.guard import scripts_held
        from .register.publishing import consent_publish_check

        # The register sits above documents and cookies: it plugs its checks into them.
        publish_check_register(consent_publish_check)
        script_hold_register(scripts_held)
