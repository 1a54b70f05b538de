from decimal import Decimal

from suishoupai.timelimits.models import StageLimit


def stage_limit(stage: str) -> tuple[Decimal, str] | None:
    """The (amount, unit) limit of a centre stage, or None when the city set none."""
    return StageLimit.objects.filter(stage=stage).values_list("amount", "unit").first()
