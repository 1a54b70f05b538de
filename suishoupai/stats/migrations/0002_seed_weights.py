"""Seed the composite score with published practice: 按期结案率 50, 结案率 20,
返工率 10, 满意率 20 (docs/stats.md), and the four grade bands."""

from decimal import Decimal

from django.db import migrations

WEIGHTS = [
    ("closed_on_time_rate", 50),
    ("closing_rate", 20),
    ("rework_rate", 10),
    ("satisfaction_rate", 20),
]
BANDS = [("优", "Excellent", "90"), ("良", "Good", "80"), ("中", "Fair", "60"), ("差", "Poor", "0")]


def seed(apps, schema_editor):
    Weight = apps.get_model("stats", "CompositeWeight")
    Band = apps.get_model("stats", "GradeBand")
    for indicator, weight in WEIGHTS:
        Weight.objects.get_or_create(indicator=indicator, defaults={"weight": weight})
    for name, name_en, score in BANDS:
        Band.objects.get_or_create(name=name, defaults={"name_en": name_en, "min_score": Decimal(score)})


def unseed(apps, schema_editor):
    apps.get_model("stats", "CompositeWeight").objects.all().delete()
    apps.get_model("stats", "GradeBand").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("stats", "0001_rollups")]
    operations = [migrations.RunPython(seed, unseed)]
