"""WSGI entry point of the demo behind nginx (gunicorn ``nginx.wsgi:application``)."""

from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nginx.settings")
application = get_wsgi_application()
