"""WSGI entry point (gunicorn leadgen.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "leadgen.settings")

application = get_wsgi_application()
