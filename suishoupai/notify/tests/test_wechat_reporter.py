"""A reporter known by WeChat hears about their case by template message, with
the link to the case page, as the notify rules already decide for the phone."""

import pytest

from suishoupai.cases import services as cases
from suishoupai.cases.links import grant_opens
from suishoupai.cases.models import Case
from suishoupai.cases.tests.journeys import report
from suishoupai.notify.models import Message, Status

ALICE = "oAlice0123456789abcdefghijk"


@pytest.mark.django_db
def test_a_follower_hears_the_milestones_by_template_message(
    city, people, settings, wechat_on, django_capture_on_commit_callbacks
):
    settings.NOTIFY_LIVE = True
    settings.SITE_URL = "https://ssp.example.gov.cn"
    case = report(city)
    Case.objects.filter(pk=case.pk).update(reporter_openid=ALICE)
    with django_capture_on_commit_callbacks(execute=True):
        cases.accept(case, people["olga"])
    with django_capture_on_commit_callbacks(execute=True):
        cases.dispatch(case, people["dora"])
    messages = Message.objects.filter(channel="wechat").order_by("pk")
    assert [(m.kind, m.address, m.status) for m in messages] == [
        ("reporter.filed", ALICE, Status.SENT),
        ("reporter.dispatched", ALICE, Status.SENT),
    ]
    filed, dispatched = wechat_on.templates
    assert filed["touser"] == ALICE and filed["template_id"] == "tpl-case-update"
    # The same signed, expiring link as the SMS (cases.links): it opens this case only.
    page, _, grant = filed["url"].partition("#k=")
    assert page == f"https://ssp.example.gov.cn/m/cases/{case.number}"
    assert grant_opens(case.number, grant)
    assert filed["data"]["keyword1"]["value"] == case.number
    assert "立案" in filed["data"]["first"]["value"]
    assert "市环卫中心" in dispatched["data"]["first"]["value"]
    assert wechat_on.calls["token"] == 1  # one token for both sends


@pytest.mark.django_db
def test_with_the_guard_on_a_follower_is_told_nothing_real(
    city, people, settings, wechat_on, django_capture_on_commit_callbacks
):
    settings.NOTIFY_LIVE = False
    case = report(city)
    Case.objects.filter(pk=case.pk).update(reporter_openid=ALICE)
    with django_capture_on_commit_callbacks(execute=True):
        cases.accept(case, people["olga"])
    assert Message.objects.get(channel="wechat").status == Status.SUPPRESSED
    assert sum(wechat_on.calls.values()) == 0
