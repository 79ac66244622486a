"""WSGI entry point of the Wagtail peer, for gunicorn: `gunicorn bench.wagtail_peer.wsgi`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.wagtail_peer.settings")

application = get_wsgi_application()
