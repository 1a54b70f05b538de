"""Loaded by pytest with -p before Django starts (see pyproject addopts)."""

import os

# Tests run with test settings: in-memory SQLite unless DATABASE_URL says otherwise,
# tasks run inline, plain static storage.
os.environ.setdefault("SUISHOUPAI_TESTING", "true")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
