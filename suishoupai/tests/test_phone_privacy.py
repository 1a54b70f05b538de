"""The reporter's phone is the command centre's, in every field of every event and every
interface (issue 17: a call-back event carried the number dialled in its data, and the
staff API and the console case page showed it to departments and the inspector).

A case goes through every hand with the phone in the report, in a call-back, in notes
and reasons; then every staff answer that a department or an inspector can get — the
staff API's list, detail and actions, every console page, the search and its exports —
is scanned for the number, in any spelling."""

import io
import re

import pytest
from django.test import Client

from suishoupai import factories as f
from suishoupai.cases import services
from suishoupai.cases.models import Case

pytestmark = pytest.mark.django_db

PHONE = "13912345678"
# The number written as people write it: with spaces, dashes, a +86 in front.
SPELLINGS = re.compile(
    r"1\D{0,3}3\D{0,3}9\D{0,3}1\D{0,3}2\D{0,3}3\D{0,3}4\D{0,3}5\D{0,3}6\D{0,3}7\D{0,3}8"
)
NOT_CENTRE = ["carl", "hans", "ivan"]


@pytest.fixture
def story(city, people) -> Case:
    """Reported with a phone, called back twice (once with the number in the note),
    dispatched on to hans, handled, verified, closed, rated unsatisfied, reopened."""
    lat, lng = f.DAOWAI
    case, _token = services.submit(
        services.Report(
            category="sanitation",
            description="路边有垃圾",
            lat=lat,
            lng=lng,
            phone=PHONE,
        )
    )
    p = people
    services.accept(case, p["olga"], note=f"已与上报人{PHONE[:3]} {PHONE[3:7]} {PHONE[7:]}核实")
    services.callback(case, p["olga"], result="satisfied", contact=PHONE, note="上报人确认位置")
    services.dispatch(case, p["dora"], note=f"联系人电话 {PHONE}")
    services.dispatch_on(case, p["carl"], department=city.daowai_sanitation.pk)
    services.take(case, p["hans"])
    services.feedback(case, p["hans"], note="已清运")
    services.verify_pass(case, p["ivan"], note="现场已清理")
    services.close(case, p["leo"])
    services.rate(case, rating="unsatisfied", comment=f"请回电 +86-{PHONE}")
    services.callback(case, p["leo"], result="unsatisfied", contact=f"+86 {PHONE}", note="")
    case.refresh_from_db()
    return case


def _staff_api(user) -> Client:
    return Client(headers={"Authorization": f"Bearer {f.token_for(user)}"})


def _console(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _body(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


def _xlsx_text(response) -> str:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return " ".join(str(c.value) for row in book.active.iter_rows() for c in row)


def _answers(user, case: Case) -> dict[str, str]:
    api, console = _staff_api(user), _console(user)
    n = case.number
    answers = {
        "api list": _body(api.get("/api/v1/staff/cases")),
        "api todo": _body(api.get("/api/v1/staff/cases?todo=true")),
        "api detail": _body(api.get(f"/api/v1/staff/cases/{n}")),
        # An action's answer is the whole case again (a refused one too).
        "api action": _body(api.post(f"/api/v1/staff/cases/{n}/urge", {})),
    }
    for path in [
        "/console/",
        "/console/department/",
        "/console/verify/",
        "/console/overdue/",
        f"/console/cases/{n}/",
        "/console/search/",
        f"/console/search/?number={n}",
        "/console/search/export.csv",
    ]:
        answers[path] = _body(console.get(path, follow=True))
    answers["xlsx"] = _xlsx_text(console.get("/console/search/export.xlsx"))
    return answers


@pytest.mark.parametrize("name", NOT_CENTRE)
def test_no_staff_answer_to_a_department_or_the_inspector_carries_the_phone(story, people, name):
    answers = _answers(people[name], story)
    # The case is there to be seen (the scan is not of empty pages) ...
    assert story.number in answers["api detail"]
    assert story.number in answers[f"/console/cases/{story.number}/"]
    # ... and the number is nowhere, in no spelling.
    leaks = {where: SPELLINGS.findall(text) for where, text in answers.items()}
    assert {where: found for where, found in leaks.items() if found} == {}


def test_the_command_centre_still_sees_the_phone(story, people):
    detail = _body(_staff_api(people["olga"]).get(f"/api/v1/staff/cases/{story.number}"))
    assert PHONE in detail
    page = _body(_console(people["leo"]).get(f"/console/cases/{story.number}/"))
    assert PHONE in page


def test_no_public_or_partner_answer_carries_it_either(story, city):
    from suishoupai.open311 import services as open311

    _client, key = open311.issue_client("12345热线平台")
    n = story.number
    answers = {
        path: _body(Client().get(path))
        for path in [
            f"/api/v1/cases/{n}",
            "/api/v1/cases",
            f"/m/api/public/{n}",
            f"/open311/v2/requests/{n}.json",
            f"/open311/v2/requests.xml?service_request_id={n}",
            f"/open311/v2/servicerequestupdates.json?api_key={key}",
        ]
    }
    assert n in answers[f"/api/v1/cases/{n}"]
    leaks = {where: SPELLINGS.findall(text) for where, text in answers.items()}
    assert {where: found for where, found in leaks.items() if found} == {}
