"""JSON for people: the API and the citizen pages' JSON views encode the same way."""

from datetime import datetime
from typing import Any

from django.utils import timezone
from ninja.responses import NinjaJSONEncoder


class LocalTimeEncoder(NinjaJSONEncoder):
    # People read these times: give them in the city's time zone (+08:00), not UTC.
    def default(self, o: Any) -> Any:
        if isinstance(o, datetime) and timezone.is_aware(o):
            return timezone.localtime(o).isoformat()
        return super().default(o)
