"""The demo install: departments are told on the console, nothing real leaves."""

from pathlib import Path

import pytest
from django.conf import settings

from suishoupai.city.services import load_city
from suishoupai.demo.services import load_demo
from suishoupai.factories import WEDNESDAY_9AM
from suishoupai.notify.models import ChannelCode, DepartmentContact, Message, Status
from suishoupai.org.models import Department, DepartmentKind


@pytest.mark.django_db
def test_the_demo_tells_departments_on_the_console_and_suppresses_every_sms(
    django_capture_on_commit_callbacks, caplog
):
    load_city(Path(settings.BASE_DIR) / "cities" / "harbin")
    with (
        caplog.at_level("INFO", logger="suishoupai.notify.console"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        load_demo(now=WEDNESDAY_9AM.replace(hour=16))
    departments = Department.objects.filter(active=True).exclude(kind=DepartmentKind.CENTRE)
    assert DepartmentContact.objects.filter(channel=ChannelCode.CONSOLE).count() == len(departments)
    console = Message.objects.filter(channel=ChannelCode.CONSOLE, audience="department")
    assert console.exists()
    assert set(console.values_list("status", flat=True)) == {Status.SENT}
    texts = Message.objects.filter(channel=ChannelCode.SMS)
    assert texts.exists()
    assert set(texts.values_list("status", flat=True)) == {Status.SUPPRESSED}
    assert set(texts.values_list("last_error", flat=True)) == {"staging guard: NOTIFY_LIVE is off"}
    assert "值班台" in caplog.text and "(not sent: staging guard)" in caplog.text
    # Loading again adds no second contact.
    load_demo(now=WEDNESDAY_9AM.replace(hour=16))
    assert DepartmentContact.objects.count() == len(departments)
