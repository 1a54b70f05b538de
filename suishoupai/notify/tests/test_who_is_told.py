"""Who is told what, across whole stories told through cases.services."""

import re
from datetime import timedelta

import pytest
from django.core import mail

from suishoupai.cases import services as cases
from suishoupai.cases.links import grant_opens
from suishoupai.cases.tests.journeys import report
from suishoupai.factories import WEDNESDAY_9AM
from suishoupai.notify.models import Message, Status

PHONE = "13900000001"


@pytest.fixture
def live(settings, http_receiver):
    """Guard off, SMS to the local gateway, e-mail to Django's locmem outbox."""
    settings.NOTIFY_LIVE = True
    settings.SMS_GATEWAY_URL = f"{http_receiver.url}/sms"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return http_receiver


@pytest.fixture
def told(django_capture_on_commit_callbacks):
    """told(step) runs one step, commits its hooks, and returns what it caused:
    sorted (audience, kind, channel, address) of the new messages."""
    seen: set[int] = set()

    def run(step):
        with django_capture_on_commit_callbacks(execute=True):
            step()
        new = Message.objects.exclude(pk__in=seen).order_by("pk")
        rows = list(new)
        seen.update(m.pk for m in rows)
        return sorted((m.audience, m.kind, m.channel, m.address) for m in rows)

    return run


def at(minutes):
    return WEDNESDAY_9AM + timedelta(minutes=minutes)


def sms(kind, phone=PHONE):
    return ("reporter", kind, "sms", phone)


@pytest.mark.django_db
def test_a_whole_story_tells_the_reporter_and_each_department_in_turn(
    city, people, contacts, live, told
):
    p = people
    san, daowai = city.city_sanitation, city.daowai_sanitation
    box = {}

    def submit():
        box["case"] = report(city, phone=PHONE, is_anonymous=True)

    assert told(submit) == []  # the number is on the screen already
    case = box["case"]
    assert told(lambda: cases.accept(case, p["olga"], now=at(5))) == [sms("reporter.filed")]
    hook = f"{live.url}/hook"
    assert told(lambda: cases.dispatch(case, p["dora"], now=at(10))) == [
        ("department", "department.dispatched", "console", "市环卫中心值班台"),
        ("department", "department.dispatched", "webhook", hook),
        sms("reporter.dispatched"),
    ]
    passed_on = told(lambda: cases.dispatch_on(case, p["carl"], department=daowai.pk, now=at(15)))
    assert passed_on == [
        ("department", "department.dispatched", "console", "道外区环卫值班台"),
        ("department", "department.dispatched", "email", "hans@daowai.example"),
    ]
    assert told(lambda: cases.take(case, p["hans"], now=at(20))) == []
    assert told(lambda: cases.feedback(case, p["hans"], note="已清理", now=at(60))) == [
        sms("reporter.resolved")
    ]
    rework = told(lambda: cases.verify_fail(case, p["ivan"], note="仍有残留", now=at(90)))
    assert rework == [
        ("department", "department.rework", "console", "道外区环卫值班台"),
        ("department", "department.rework", "email", "hans@daowai.example"),
    ]
    assert told(lambda: cases.feedback(case, p["hans"], note="已清理干净", now=at(120))) == [
        sms("reporter.resolved")
    ]
    assert told(lambda: cases.verify_pass(case, p["ivan"], now=at(130))) == []
    assert told(lambda: cases.close(case, p["leo"], now=at(140))) == [sms("reporter.closed")]

    # Everything was really delivered: nothing left in the queue, nothing failed.
    assert set(Message.objects.values_list("status", flat=True)) == {Status.SENT}
    texts = [r.json()["text"] for r in live.requests if r.path == "/sms"]
    # Each link opens the case for its reporter by a signed grant (cases.links), not a token.
    grants = [re.search(r"#k=([\w.-]+)$", text).group(1) for text in texts]
    assert all(grant_opens(case.number, grant) for grant in grants)
    texts = [re.sub(r"#k=[\w.-]+$", "#k=…", text) for text in texts]
    link = f"http://127.0.0.1:8000/m/cases/{case.number}#k=…"
    assert texts == [
        f"【随手拍】您反映的问题已立案，编号{case.number}，将尽快派遣处理。查看：{link}",
        f"【随手拍】您反映的问题（编号{case.number}）已派遣至{san.name}处理。查看：{link}",
        f"【随手拍】{daowai.name}已处置您反映的问题（编号{case.number}），正在核查。查看：{link}",
        f"【随手拍】{daowai.name}已处置您反映的问题（编号{case.number}），正在核查。查看：{link}",
        f"【随手拍】您反映的问题（编号{case.number}）已结案，请评价处理结果：{link}",
    ]
    [webhook] = [r for r in live.requests if r.path == "/hook"]
    assert webhook.json()["case"] == case.number
    assert webhook.json()["event"] == "case.dispatched"
    assert webhook.json()["state"] == "待签收"
    assert webhook.json()["department"] == san.name
    assert [m.subject for m in mail.outbox] == [
        f"新案件{case.number}",
        f"案件{case.number}需返工",
    ]
    assert "仍有残留" in mail.outbox[1].body


@pytest.mark.django_db
def test_a_declined_report_tells_the_reporter_why(city, people, live, told):
    case = report(city, phone=PHONE)
    assert told(lambda: cases.reject(case, people["olga"], reason="非城管职责范围", now=at(5))) == [
        sms("reporter.rejected")
    ]
    body = Message.objects.get().body
    assert body.startswith(f"您反映的问题（编号{case.number}）未予立案，原因：非城管职责范围。")


@pytest.mark.django_db
def test_a_merged_reporter_is_told_the_case_and_then_follows_it(city, people, contacts, told):
    primary = report(city, phone=PHONE)
    duplicate = report(city, phone="13900000002")
    cases.accept(primary, people["olga"], now=at(5))
    merged = told(lambda: cases.merge(duplicate, people["olga"], into=primary.number, now=at(6)))
    assert merged == [sms("reporter.merged", "13900000002")]
    assert f"与案件{primary.number}为同一问题" in Message.objects.get(kind="reporter.merged").body
    dispatched = told(lambda: cases.dispatch(primary, people["dora"], now=at(10)))
    reporters = [r for r in dispatched if r[0] == "reporter"]
    assert reporters == [sms("reporter.dispatched"), sms("reporter.dispatched", "13900000002")]
    # Each reporter's text and link name their own report.
    theirs = Message.objects.get(kind="reporter.dispatched", address="13900000002")
    assert theirs.case == duplicate and duplicate.number in theirs.body
    link = re.search(r"/m/cases/([\d-]+)#k=([\w.-]+)$", theirs.body)
    assert link and link.group(1) == duplicate.number
    assert grant_opens(duplicate.number, link.group(2))


@pytest.mark.django_db
def test_one_phone_behind_both_reports_is_told_once(city, people, told):
    primary = report(city, phone=PHONE)
    cases.merge(report(city, phone=PHONE), people["olga"], into=primary.number, now=at(6))
    assert told(lambda: cases.accept(primary, people["olga"], now=at(7))) == [sms("reporter.filed")]


@pytest.mark.django_db
def test_a_reporter_without_a_phone_is_not_messaged(city, people, contacts, told):
    case = report(city)
    assert told(lambda: cases.accept(case, people["olga"], now=at(5))) == []
    dispatched = told(lambda: cases.dispatch(case, people["dora"], now=at(10)))
    assert {r[0] for r in dispatched} == {"department"}


@pytest.mark.django_db
def test_an_overdue_case_tells_the_department_and_every_shift_lead(city, people, contacts, told):
    people["leo"].email = "leo@centre.example"
    people["leo"].save()
    from suishoupai.factories import UserFactory

    UserFactory(username="sara", role="shift_lead", display_name="sara")
    case = report(city)
    cases.accept(case, people["olga"], now=at(5))
    cases.dispatch(case, people["dora"], now=at(10))
    case.refresh_from_db()
    late = told(lambda: cases.mark_overdue(now=case.due_at + timedelta(minutes=1)))
    assert late == [
        ("department", "overdue", "console", "市环卫中心值班台"),
        ("department", "overdue", "webhook", contacts["carl_webhook"].address),
        ("staff", "overdue", "console", "sara (sara)"),
        ("staff", "overdue", "email", "leo@centre.example"),
    ]
    body = Message.objects.filter(kind="overdue").first().body
    assert body.startswith(f"案件{case.number}（市环卫中心）已于")
    # A second scan flags nothing and tells nobody again.
    assert told(lambda: cases.mark_overdue(now=case.due_at + timedelta(minutes=2))) == []


@pytest.mark.django_db
def test_a_manual_urge_tells_only_the_department(city, people, contacts, told):
    case = report(city)
    cases.accept(case, people["olga"], now=at(5))
    cases.dispatch(case, people["dora"], now=at(10))
    urged = told(lambda: cases.urge(case, people["lily"], note="群众反映强烈", now=at(20)))
    assert {(r[0], r[1]) for r in urged} == {("department", "department.urged")}
    assert "群众反映强烈" in Message.objects.filter(kind="department.urged").first().body


@pytest.mark.django_db
def test_the_department_hears_the_decision_on_its_appeal(city, people, contacts, told):
    case = report(city)
    cases.accept(case, people["olga"], now=at(5))
    cases.dispatch(case, people["dora"], now=at(10))
    case.refresh_from_db()
    late = case.due_at + timedelta(minutes=1)
    cases.mark_overdue(now=late)
    # The request itself goes to the shift lead's queue, not out as a message.
    assert (
        told(lambda: cases.request_appeal(case, people["carl"], reason="派遣晚了", now=late)) == []
    )
    approved = told(lambda: cases.approve_appeal(case, people["leo"], note="属实", now=late))
    assert {(r[0], r[1]) for r in approved} == {("department", "department.appeal_approved")}
    body = Message.objects.get(kind="department.appeal_approved", channel="console").body
    assert case.number in body and "属实" in body
    cases.mark_overdue(now=late)  # nothing: the waived deadline is not marked again
    case.refresh_from_db()
    cases.take(case, people["carl"], now=late)
    case.refresh_from_db()
    cases.mark_overdue(now=case.due_at + timedelta(minutes=1))
    cases.request_appeal(case, people["carl"], reason="现场无法进入", now=case.due_at)
    denied = told(lambda: cases.deny_appeal(case, people["leo"], note="不属实", now=case.due_at))
    assert {(r[0], r[1]) for r in denied} == {("department", "department.appeal_denied")}


@pytest.mark.django_db
def test_an_inactive_contact_is_not_told(city, people, contacts, told):
    contacts["carl_webhook"].active = False
    contacts["carl_webhook"].save()
    case = report(city)
    cases.accept(case, people["olga"], now=at(5))
    dispatched = told(lambda: cases.dispatch(case, people["dora"], now=at(10)))
    assert [r[2] for r in dispatched] == ["console"]


@pytest.mark.django_db
def test_reporter_texts_fit_in_one_long_sms(city, people, told):
    case = report(city, phone=PHONE)
    long_reason = "该问题属于物业管理范围，请联系小区物业公司处理，" * 5
    told(lambda: cases.reject(case, people["olga"], reason=long_reason, now=at(5)))
    body = Message.objects.get().body
    # Two concatenated SMS segments carry 134 characters; the reason is cut with "…".
    assert len(body) <= 134 and "…" in body
