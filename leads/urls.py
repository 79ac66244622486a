from django.urls import path

from . import views

app_name = "leads"

urlpatterns = [
    path("", views.home, name="home"),
    path("thanks/", views.thanks_generic, name="thanks_generic"),
    path("thanks/<uuid:public_id>/", views.thanks, name="thanks"),
]
