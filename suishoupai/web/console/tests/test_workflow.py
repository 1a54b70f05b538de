"""The console's workflow through the Django client: each post does its part."""

import pytest
from django.urls import reverse

from suishoupai.cases.models import Case, CaseEvent, Decision
from suishoupai.cases.tests.journeys import report, walk
from suishoupai.catalog.models import ReplyKind, ReplyTemplate

pytestmark = pytest.mark.django_db


def act(client, user, case, action, **data):
    client.force_login(user)
    return client.post(reverse("console:case_action", args=[case.number, action]), data)


def test_the_operator_files_a_report_and_moves_on_to_the_next(client, city, people):
    first, second = report(city), report(city)
    response = act(
        client, people["olga"], first, "accept", condition=city.garbage.code, then="next"
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("console:case", args=[second.number])
    first.refresh_from_db()
    assert first.state == "filed" and first.condition == city.garbage


def test_the_intake_queue_lists_new_reports_oldest_first(client, city, people):
    older, newer = report(city), report(city)
    client.force_login(people["olga"])
    page = client.get(reverse("console:intake_rows")).content.decode()
    assert page.index(older.number) < page.index(newer.number)


def test_a_declined_report_keeps_the_reason(client, city, people):
    case = report(city)
    act(client, people["olga"], case, "reject", reason="不属于受理范围")
    case.refresh_from_db()
    assert case.state == "rejected"
    assert case.events.get(action="case.rejected").note == "不属于受理范围"


def test_declining_without_a_reason_writes_nothing_and_says_why(client, city, people):
    case = report(city)
    response = act(client, people["olga"], case, "reject", reason="  ")
    assert response.status_code == 400
    assert "请" in response.content.decode()
    case.refresh_from_db()
    assert case.state == "submitted"


def test_an_illegal_move_answers_409_with_the_message(client, city, people):
    case = walk(city, people, "filed")
    events = CaseEvent.objects.count()
    response = act(client, people["olga"], case, "accept")
    assert response.status_code == 409
    assert "不能" in response.content.decode() or "无法" in response.content.decode()
    assert CaseEvent.objects.count() == events


def test_the_dispatcher_sends_a_case_to_the_suggested_department(client, city, people):
    case = walk(city, people, "filed")
    client.force_login(people["dora"])
    page = client.get(reverse("console:dispatch")).content.decode()
    assert case.number in page and "市环卫中心" in page
    act(client, people["dora"], case, "dispatch", department=city.city_sanitation.pk)
    case.refresh_from_db()
    assert case.state == "dispatched" and case.department == city.city_sanitation


def test_a_dispatcher_cannot_pass_on_as_if_a_department(client, city, people):
    case = walk(city, people, "filed")
    response = act(
        client, people["dora"], case, "dispatch_on", department=city.daowai_sanitation.pk
    )
    assert response.status_code == 403
    case.refresh_from_db()
    assert case.state == "filed"


def test_carl_passes_the_case_on_and_hans_takes_and_feeds_back(client, city, people):
    case = walk(city, people, "dispatched")
    act(client, people["carl"], case, "dispatch_on", department=city.daowai_sanitation.pk)
    act(client, people["hans"], case, "take")
    act(client, people["hans"], case, "feedback", note="已清理完毕")
    case.refresh_from_db()
    assert case.state == "resolved" and case.department == city.daowai_sanitation


def test_a_handler_sees_no_phone_but_the_operator_does(client, city, people):
    case = walk(city, people, "dispatched")
    Case.objects.filter(pk=case.pk).update(reporter_phone="13900001111")
    client.force_login(people["carl"])
    assert (
        "13900001111"
        not in client.get(reverse("console:case", args=[case.number])).content.decode()
    )
    client.force_login(people["olga"])
    assert "13900001111" in client.get(reverse("console:case", args=[case.number])).content.decode()


def test_an_extension_request_is_decided_on_the_lead_page(client, city, people):
    case = walk(city, people, "in_progress")
    act(client, people["carl"], case, "request_extension", amount="2", reason="需协调")
    client.force_login(people["leo"])
    assert case.number in client.get(reverse("console:lead")).content.decode()
    act(client, people["leo"], case, "approve_extension", then="lead")
    assert case.requests.get().decision == Decision.APPROVED


def test_an_overdue_appeal_is_decided_in_the_approvals_queue(client, city, people):
    case = walk(city, people, "in_progress", overdue=True)
    client.force_login(people["carl"])
    page = client.get(reverse("console:case", args=[case.number])).content.decode()
    assert 'data-action="request_appeal"' in page
    act(client, people["carl"], case, "request_appeal", reason="现场被围挡，无法进入")
    client.force_login(people["leo"])
    queue = client.get(reverse("console:lead")).content.decode()
    assert case.number in queue and "超时申诉" in queue and "记为超时" in queue
    act(client, people["leo"], case, "approve_appeal", note="情况属实", then="lead")
    case.refresh_from_db()
    assert (case.is_overdue, case.requests.get().decision) == (False, Decision.APPROVED)
    client.get(reverse("console:lead"))  # shows (and so uses up) the "done" message
    assert case.number not in client.get(reverse("console:lead")).content.decode()


def test_an_appeal_without_an_overdue_mark_answers_409_and_says_why(client, city, people):
    case = walk(city, people, "in_progress")
    response = act(client, people["carl"], case, "request_appeal", reason="并未超时")
    assert response.status_code == 409
    assert "没有针对本部门的超时记录" in response.content.decode()
    assert not case.requests.exists()


def test_an_extension_amount_must_be_a_positive_number(client, city, people):
    case = walk(city, people, "in_progress")
    response = act(client, people["carl"], case, "request_extension", amount="abc", reason="x")
    assert response.status_code == 400
    assert not case.requests.exists()


def test_the_inspector_passes_and_the_shift_lead_closes(client, city, people):
    case = walk(city, people, "resolved")
    act(client, people["ivan"], case, "verify_pass")
    act(client, people["leo"], case, "close", then="lead")
    case.refresh_from_db()
    assert case.state == "closed"


def test_the_inspector_list_puts_the_nearest_case_first(client, city, people):
    far = walk(city, people, "resolved")
    Case.objects.filter(pk=far.pk).update(lat=45.79, lng=126.69)
    near = walk(city, people, "resolved")
    client.force_login(people["ivan"])
    page = client.get(reverse("console:verify"), {"lat": "45.78", "lng": "126.65"}).content.decode()
    assert page.index(near.number) < page.index(far.number)


def test_a_callback_records_who_and_the_answer(client, city, people):
    case = walk(city, people, "closed")
    act(client, people["olga"], case, "callback", contact="13900001111", result="satisfied")
    event = case.events.get(action="case.callback")
    assert event.data == {"result": "satisfied", "contact": "13900001111"}


def test_the_case_page_offers_stock_phrases_of_the_action(client, city, people):
    ReplyTemplate.objects.create(kind=ReplyKind.DECLINE, text="请拨打12345反映")
    ReplyTemplate.objects.create(kind=ReplyKind.DECLINE, text="已停用的说法", active=False)
    case = report(city)
    client.force_login(people["olga"])
    page = client.get(reverse("console:case", args=[case.number])).content.decode()
    assert "请拨打12345反映" in page and "已停用的说法" not in page


def test_the_leader_urges_an_overdue_case(client, city, people):
    case = walk(city, people, "dispatched")
    Case.objects.filter(pk=case.pk).update(is_overdue=True)
    client.force_login(people["lily"])
    assert case.number in client.get(reverse("console:overdue")).content.decode()
    act(client, people["lily"], case, "urge", then="overdue")
    case.refresh_from_db()
    assert case.urge_count == 1


def test_the_department_list_marks_a_case_past_its_deadline(client, city, people):
    case = walk(city, people, "dispatched")
    Case.objects.filter(pk=case.pk).update(due_at=case.created_at)
    client.force_login(people["carl"])
    page = client.get(reverse("console:department")).content.decode()
    start = page.index(f'data-number="{case.number}"')
    row = page[page.rindex("<tr", 0, start) : page.index("</tr>", start)]
    assert 'class="is-overdue"' in row
    assert "超时" in row


def test_the_department_list_holds_the_units_cases_too(client, city, people):
    case = walk(city, people, "dispatched")
    act(client, people["carl"], case, "dispatch_on", department=city.daowai_sanitation.pk)
    client.force_login(people["carl"])
    assert case.number in client.get(reverse("console:department")).content.decode()
    client.force_login(people["nina"])
    assert case.number not in client.get(reverse("console:department")).content.decode()


def test_the_case_page_offers_only_what_the_person_may_do_now(client, city, people):
    case = walk(city, people, "dispatched")
    client.force_login(people["carl"])
    page = client.get(reverse("console:case", args=[case.number])).content.decode()
    assert 'data-action="take"' in page and 'data-action="dispatch_on"' in page
    assert 'data-action="accept"' not in page and 'data-action="close"' not in page
    client.force_login(people["lily"])
    page = client.get(reverse("console:case", args=[case.number])).content.decode()
    assert 'data-action="urge"' in page and 'data-action="take"' not in page


def test_a_report_is_merged_into_a_nearby_case(client, city, people):
    primary = walk(city, people, "filed")
    duplicate = report(city)
    client.force_login(people["olga"])
    page = client.get(reverse("console:case", args=[duplicate.number])).content.decode()
    assert f'data-value="{primary.number}"' in page  # offered as a nearby case
    act(client, people["olga"], duplicate, "merge", into=primary.number)
    duplicate.refresh_from_db()
    assert duplicate.state == "merged" and duplicate.merged_into == primary


def test_a_failed_verification_goes_back_with_a_photo(client, city, people):
    import io

    from PIL import Image

    case = walk(city, people, "resolved")
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 10, 10)).save(out, "PNG")
    out.seek(0)
    out.name = "still-dirty.png"
    act(client, people["ivan"], case, "verify_fail", note="仍有垃圾", photos=out)
    case.refresh_from_db()
    assert case.state == "in_progress" and case.rework_count == 1
    assert case.photos.get().kind == "verification"


def test_a_bad_photo_is_refused_and_nothing_is_written(client, city, people):
    import io

    case = walk(city, people, "in_progress")
    fake = io.BytesIO(b"not a photo at all")
    fake.name = "notes.jpg"
    response = act(client, people["carl"], case, "feedback", note="已处理", photos=fake)
    assert response.status_code == 400
    assert "notes.jpg" in response.content.decode()
    case.refresh_from_db()
    assert case.state == "in_progress" and not case.photos.exists()


def test_a_refused_photo_keeps_the_typed_note_and_asks_for_the_photos_again(client, city, people):
    import io

    case = walk(city, people, "in_progress")
    fake = io.BytesIO(b"%PDF-1.4 a scanned form, not a photo")
    fake.name = "form.pdf"
    note = "已安排人员到场处置，<垃圾>已清运 & 现场已冲洗"
    response = act(client, people["carl"], case, "feedback", note=note, photos=fake)
    assert response.status_code == 400
    page = response.content.decode()
    # The feedback form is open again with the note as typed (escaped, not lost) ...
    assert '<details class="action" id="action-feedback" open>' in page
    assert ">已安排人员到场处置，&lt;垃圾&gt;已清运 &amp; 现场已冲洗</textarea>" in page
    # ... and the person is told the photos must be chosen again (browsers keep no files).
    assert "照片未保留，请重新选择。" in page
    # The other forms stay empty.
    assert page.count("已安排人员到场处置") == 1


def test_a_refused_extension_keeps_its_reason_and_amount(client, city, people):
    case = walk(city, people, "in_progress")
    response = act(
        client, people["carl"], case, "request_extension", reason="需协调产权单位", amount="-3"
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert ">需协调产权单位</textarea>" in page
    assert 'value="-3"' in page


def test_the_polled_fragment_is_only_the_rows(client, city, people):
    report(city)
    client.force_login(people["olga"])
    fragment = client.get(reverse("console:intake_rows")).content.decode()
    assert "<html" not in fragment and "<tr" in fragment
    page = client.get(reverse("console:intake")).content.decode()
    assert 'hx-trigger="every 10s"' in page and "X-CSRFToken" in page


def test_signing_in_leads_to_the_posts_own_queue(client, city, people):
    response = client.post(
        reverse("console:login"),
        {"username": "dora", "password": "correct-horse-battery"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("console:dispatch")


def test_a_wrong_password_is_refused_in_chinese(client, city, people):
    response = client.post(reverse("console:login"), {"username": "dora", "password": "nope"})
    assert response.status_code == 200
    assert "密码" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_signing_out_needs_a_post(client, city, people):
    client.force_login(people["olga"])
    assert client.get(reverse("console:logout")).status_code == 405
    client.post(reverse("console:logout"))
    assert "_auth_user_id" not in client.session


def test_an_unsatisfied_rating_leaves_the_lead_queue_after_a_call_back(client, city, people):
    from suishoupai.cases import services

    case = walk(city, people, "closed")
    services.rate(case, rating="unsatisfied")
    client.force_login(people["leo"])
    assert case.number in client.get(reverse("console:lead")).content.decode()
    act(client, people["leo"], case, "callback", result="basically_satisfied", note="已解释")
    client.force_login(people["leo"])
    assert (
        f'data-number="{case.number}"' not in client.get(reverse("console:lead")).content.decode()
    )


def test_the_console_speaks_chinese_and_english_on_request(client, city, people):
    client.force_login(people["olga"])
    assert "受理：新上报" in client.get(reverse("console:intake")).content.decode()
    assert (
        "Intake: new reports"
        in client.get(reverse("console:intake"), {"lang": "en"}).content.decode()
    )
