from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    # Everything else is Wagtail's page serving: the form page is the site's root page, at /.
    path("", include(wagtail_urls)),
]
