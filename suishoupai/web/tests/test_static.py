"""`make run` serves static files through whitenoise's manifest storage, which refuses a
missing file referenced from CSS or JS (a vendored library's source map, an icon)."""

from django.core.management import call_command
from django.test import override_settings


def test_collectstatic_with_the_production_manifest_storage_finds_every_reference(tmp_path):
    storages = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    with override_settings(STORAGES=storages, STATIC_ROOT=tmp_path):
        call_command("collectstatic", interactive=False, verbosity=0)
    assert (tmp_path / "staticfiles.json").exists()
    assert list(tmp_path.glob("vendor/leaflet/leaflet.*.js"))
