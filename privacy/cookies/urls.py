"""The cookie list and the banner's choice."""

from django.urls import path

from . import views

urlpatterns = [
    path("cookies/", views.cookie_list, name="cookies"),
    path("cookies/choice/", views.cookie_choice, name="cookie_choice"),
]
