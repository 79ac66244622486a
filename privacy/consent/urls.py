"""Receipts and the e-mail links that change a consent (unsubscribe, confirm, reconsent)."""

from django.urls import path

from . import views

urlpatterns = [
    path("receipts/<str:token>.json", views.receipt_download, name="receipt"),
    path("receipts/<str:token>/", views.receipt_page, name="receipt_page"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
    path("reconsent/<str:token>/", views.reconsent, name="reconsent"),
]
