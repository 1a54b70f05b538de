# RoutingRule moves from org to catalog, next to its query (catalog.selectors.route).
# State only: the table and its rows stay as they are (db_table "org_routingrule").

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0004_reply_kind_appeal"),
        ("org", "0002_login_attempts"),
        ("places", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="RoutingRule",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "priority",
                            models.PositiveSmallIntegerField(default=100, verbose_name="priority"),
                        ),
                        (
                            "category",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                to="catalog.category",
                                verbose_name="category",
                            ),
                        ),
                        (
                            "department",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                to="org.department",
                                verbose_name="department",
                            ),
                        ),
                        (
                            "district",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                to="places.area",
                                verbose_name="district",
                            ),
                        ),
                        (
                            "subcategory",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                to="catalog.subcategory",
                                verbose_name="subcategory",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "routing rule",
                        "verbose_name_plural": "routing rules",
                        "db_table": "org_routingrule",
                        "ordering": ["category", "subcategory", "district", "priority"],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
