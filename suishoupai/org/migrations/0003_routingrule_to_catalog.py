# RoutingRule now lives in catalog (catalog/0005): org forgets it, the table stays.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("org", "0002_login_attempts"),
        ("catalog", "0005_routingrule_from_org"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="RoutingRule")],
            database_operations=[],
        ),
    ]
