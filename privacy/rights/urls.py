"""A person's rights requests: the form, the one-time links, the request's own page."""

from django.urls import path

from . import views

urlpatterns = [
    path("requests/", views.request_form, name="requests"),
    path("requests/sent/", views.request_sent, name="request_sent"),
    path("requests/confirm/<str:token>/", views.request_confirm, name="request_confirm"),
    path("requests/email/<str:token>/", views.request_new_email, name="request_new_email"),
    path("requests/export/<str:token>/", views.request_export, name="request_export"),
    path(
        "requests/export/<str:token>/json/", views.request_export_json, name="request_export_json"
    ),
    path("requests/<uuid:public_id>/", views.request_detail, name="request_detail"),
]
