from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from leads.api import api
from privacy.cookies.views import gpc_json

from . import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    # Global Privacy Control support, where the GPC specification says to look for it.
    path(".well-known/gpc.json", gpc_json, name="gpc_json"),
    path("i18n/", include("django.conf.urls.i18n")),
    path(settings.ADMIN_URL, admin.site.urls),
    path("privacy/", include("privacy.urls")),
    # The leads API: schema at /api/v1/openapi.json, documentation at /api/v1/docs/.
    path("api/v1/", api.urls),
    # The sending provider's webhook (bounces, complaints): signed events only, else refused.
    path("anymail/", include("privacy.outbox.urls")),
    path("", include("leads.urls")),
]

admin.site.site_header = admin.site.site_title = f"{settings.SITE_NAME} administration"

# The site's own pages for errors, in the visitor's language, with the usual headers.
handler400 = "leadgen.views.bad_request"
handler403 = "leadgen.views.permission_denied"
handler404 = "leadgen.views.page_not_found"
handler500 = "leadgen.views.server_error"
