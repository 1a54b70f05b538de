import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "suishoupai.settings")
application = get_wsgi_application()

# Import every view now rather than in a worker's first request: granian binds a
# worker's socket once this module is loaded, so a worker started again after a
# crash takes connections only when it can answer them quickly.
from django.urls import get_resolver  # noqa: E402

get_resolver().url_patterns  # noqa: B018 - loading the URLconf is the point
