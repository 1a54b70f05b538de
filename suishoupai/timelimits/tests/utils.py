import datetime as dt
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")

URGENT = "urgent_hours"
HOURS = "working_hours"
DAYS = "working_days"


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    """A moment in Harbin local time (the project's TIME_ZONE)."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)
