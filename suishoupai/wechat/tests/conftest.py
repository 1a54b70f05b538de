import pytest


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Chat photos are written to each test's own MEDIA_ROOT, never the project's data/."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
