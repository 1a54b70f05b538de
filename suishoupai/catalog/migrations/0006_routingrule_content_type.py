# Data: the routing rule's content type follows the model to catalog, so the admin
# permissions granted on it and its audit history (LogEntry) stay attached.

from django.db import migrations


def _move(apps, schema_editor, source: str, target: str) -> None:
    content_type = apps.get_model("contenttypes", "ContentType")
    if content_type.objects.filter(app_label=target, model="routingrule").exists():
        return  # already there (a fresh database gets it from post_migrate)
    content_type.objects.filter(app_label=source, model="routingrule").update(app_label=target)


def forwards(apps, schema_editor):
    _move(apps, schema_editor, "org", "catalog")


def backwards(apps, schema_editor):
    _move(apps, schema_editor, "catalog", "org")


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0005_routingrule_from_org"),
        ("org", "0003_routingrule_to_catalog"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
