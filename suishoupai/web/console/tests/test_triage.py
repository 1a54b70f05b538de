"""The operator's intake with triage: the suggestion, the out-of-scope warning, urgency,
duplicate candidates, and the two keys' actions through the case services."""

import pytest
from django.urls import reverse

from suishoupai.cases import services
from suishoupai.cases.models import Case
from suishoupai.triage import services as triage_services
from suishoupai.triage.models import SuggestionFeedback
from suishoupai.triage.tests.conftest import load_harbin_catalogue, trained_model

pytestmark = pytest.mark.django_db
JINGYU = (45.7808, 126.6488)


@pytest.fixture
def model(city):
    load_harbin_catalogue()
    return trained_model()


def submit(text, category="sanitation", north_m=0.0):
    case, _token = services.submit(
        services.Report(
            category=category, description=text, lat=JINGYU[0] + north_m / 111_320, lng=JINGYU[1]
        )
    )
    triage_services.triage_case(case.pk)
    return case


def page(client, user, case):
    client.force_login(user)
    return client.get(reverse("console:case", args=[case.number])).content.decode()


def test_a_new_report_shows_the_suggestion_and_files_under_it_with_one_key(client, model, people):
    # The citizen picked 环境卫生; the text is about a missing manhole cover.
    case = submit("人行道上的井盖没了，黑乎乎一个洞", category="sanitation")
    html = page(client, people["olga"], case)
    assert 'id="triage"' in html and "井盖缺失" in html
    assert 'id="accept-suggestion" data-condition="manhole_cover-missing-' in html
    condition = html.split('id="accept-suggestion" data-condition="')[1].split('"')[0]
    # What the s key does: the accept form, with the suggested condition, to services.accept.
    client.post(
        reverse("console:case_action", args=[case.number, "accept"]), {"condition": condition}
    )
    case.refresh_from_db()
    assert case.state == "filed" and case.category.code == "manhole_cover"
    triage_services.record_filing(case.events.get(action="case.filed"))
    assert SuggestionFeedback.objects.get(case=case).accepted


def test_another_agency_s_business_is_flagged_with_the_reason(client, model, people):
    case = submit("家里暖气不热，屋里才十二度")
    html = page(client, people["olga"], case)
    assert 'id="triage-out"' in html and "供热" in html
    assert 'id="accept-suggestion"' not in html  # nothing to file under


def test_the_likely_duplicate_is_offered_first_and_merged_through_the_service(
    client, model, people
):
    first = submit("华山路胡同口堆了一大堆生活垃圾")
    again = submit("华山路胡同口垃圾堆成山了，好几天没人管", north_m=15)
    html = page(client, people["olga"], again)
    assert f'id="merge-top" data-number="{first.number}"' in html
    assert "相距 15 米" in html
    client.post(
        reverse("console:case_action", args=[again.number, "merge"]), {"into": first.number}
    )
    again.refresh_from_db()
    assert again.state == "merged" and again.merged_into == first
    assert first.events.filter(action="case.merge_received").exists()


def test_urgent_reports_come_first_in_the_intake_queue(client, model, people):
    calm = submit("路边有一堆垃圾，麻烦清理")
    urgent = submit("井盖没了，刚才有个孩子差点掉进去，太危险了", category="manhole_cover")
    client.force_login(people["olga"])
    rows = client.get(reverse("console:intake_rows")).content.decode()
    assert rows.index(urgent.number) < rows.index(calm.number)
    assert "紧急" in rows


def test_a_department_handler_sees_no_triage_card(client, model, people):
    case = submit("路边有一堆垃圾")
    services.accept(case, people["olga"])
    case = Case.objects.get(pk=case.pk)
    assert 'id="triage"' not in page(client, people["leo"], case)
