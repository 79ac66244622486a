from django.urls import path

from . import views

app_name = "leads"

urlpatterns = [
    path("", views.home, name="home"),
    path("thanks/", views.thanks_generic, name="thanks_generic"),
    path("thanks/<uuid:public_id>/", views.thanks, name="thanks"),
    # The form in an iframe on one of its sites (leads/views.py, "The iframe").
    path("embed/<slug:slug>/", views.embed, name="embed"),
    path("embed/<slug:slug>/thanks/", views.embed_thanks, name="embed_thanks"),
]
