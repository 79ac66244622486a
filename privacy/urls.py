from django.urls import path

from . import cookie_views, email_views, rights_views, views

app_name = "privacy"

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
    path("receipts/<str:token>.json", views.receipt_download, name="receipt"),
    path("unsubscribe/<str:token>/", email_views.unsubscribe, name="unsubscribe"),
    path("confirm/<str:token>/", email_views.confirm, name="confirm"),
    path("cookies/", cookie_views.cookie_list, name="cookies"),
    path("cookies/choice/", cookie_views.cookie_choice, name="cookie_choice"),
    path("reconsent/<str:token>/", email_views.reconsent, name="reconsent"),
    path("requests/", rights_views.request_form, name="requests"),
    path("requests/sent/", rights_views.request_sent, name="request_sent"),
    path("requests/confirm/<str:token>/", rights_views.request_confirm, name="request_confirm"),
    path("requests/email/<str:token>/", rights_views.request_new_email, name="request_new_email"),
    path("requests/export/<str:token>/", rights_views.request_export, name="request_export"),
    path("requests/<uuid:public_id>/", rights_views.request_detail, name="request_detail"),
]
