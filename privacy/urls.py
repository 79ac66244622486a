"""Privacy's public pages under one namespace, gathered from the domain packages."""

from privacy.consent import urls as consent_urls
from privacy.cookies import urls as cookies_urls
from privacy.documents import urls as documents_urls
from privacy.rights import urls as rights_urls

app_name = "privacy"

urlpatterns = [
    *documents_urls.urlpatterns,
    *consent_urls.urlpatterns,
    *cookies_urls.urlpatterns,
    *rights_urls.urlpatterns,
]
