"""Provider webhooks: only the tracking webhook of the provider the site sends through."""

from django.urls import path

from . import webhooks

app_name = "anymail"

urlpatterns = [
    path("<slug:provider>/tracking/", webhooks.tracking_webhook, name="tracking_webhook"),
]
