"""The legal documents' public pages: the policy in force, the archive, the diffs."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.policy_in_force, name="policy"),
    path("versions/", views.version_list, name="versions"),
    path("versions/<int:number>/", views.version_detail, name="version"),
    path("versions/<int:number>/diff/<int:other>/", views.version_diff, name="diff"),
    path("consents/<slug:kind>/", views.consent_in_force, name="consent"),
    path("consents/<slug:kind>/<int:number>/", views.consent_version, name="consent_version"),
    path(
        "consents/<slug:kind>/<int:number>/diff/<int:other>/",
        views.consent_diff,
        name="consent_diff",
    ),
]
