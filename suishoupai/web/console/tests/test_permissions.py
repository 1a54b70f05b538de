"""Every console view, with people who must be refused.

Anonymous visitors are sent to sign in; an account without a staff role and a
post whose work a page is not get a 403 page; a department never sees another
department's case; an action by the wrong role is a 403 and writes nothing.
"""

import io

import pytest
from django.urls import reverse
from PIL import Image

from suishoupai import factories as f
from suishoupai.cases import services
from suishoupai.cases.models import Case, CaseEvent
from suishoupai.cases.tests.journeys import walk
from suishoupai.org.models import Role
from suishoupai.photos.services import check_uploads

pytestmark = pytest.mark.django_db


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (120, 130, 140)).save(out, "JPEG")
    return out.getvalue()


@pytest.fixture
def case(city, people) -> Case:
    """A case at 市环卫中心 (carl), with a reported photo."""
    lat, lng = f.DAOWAI
    case, _token = services.submit(
        services.Report(category="sanitation", description="路边有垃圾", lat=lat, lng=lng),
        check_uploads([("a.jpg", _jpeg())]),
    )
    services.accept(case, people["olga"])
    services.dispatch(case, people["dora"])
    case.refresh_from_db()
    return case


# Every view of the workflow part; (name, args from the case, method).
VIEWS = [
    ("console:home", None, "get"),
    ("console:intake", None, "get"),
    ("console:intake_rows", None, "get"),
    ("console:dispatch", None, "get"),
    ("console:department", None, "get"),
    ("console:lead", None, "get"),
    ("console:verify", None, "get"),
    ("console:overdue", None, "get"),
    ("console:case", "number", "get"),
    ("console:photo", "photo", "get"),
    ("console:photo_copy", "photo", "get"),
    ("console:photo_card", "photo", "get"),
    ("console:photo_action", "photo:hide", "post"),
    ("console:case_action", "take", "post"),
]
each_view = pytest.mark.parametrize("name,args,method", VIEWS, ids=[v[0] for v in VIEWS])


def _url(name, args, case) -> str:
    if args == "number":
        return reverse(name, args=[case.number])
    if args == "photo":
        return reverse(name, args=[case.photos.get().uuid])
    if args and args.startswith("photo:"):
        return reverse(name, args=[case.photos.get().uuid, args.removeprefix("photo:")])
    if args:
        return reverse(name, args=[case.number, args])
    return reverse(name)


@each_view
def test_anonymous_visitors_are_sent_to_sign_in(client, case, name, args, method):
    url = _url(name, args, case)
    response = getattr(client, method)(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("console:login"))


@each_view
def test_an_account_without_a_staff_role_is_refused(client, case, name, args, method):
    citizen = f.UserFactory(username="citizen", role="")
    client.force_login(citizen)
    response = getattr(client, method)(_url(name, args, case))
    assert response.status_code == 403
    assert "工作人员" in response.content.decode()
    assert case.description not in response.content.decode()


@each_view
def test_another_department_is_refused_or_sees_nothing(client, case, people, name, args, method):
    """nina (南岗区道桥) must learn nothing about carl's case."""
    events = CaseEvent.objects.count()
    client.force_login(people["nina"])
    response = getattr(client, method)(_url(name, args, case), follow=method == "get")
    body = response.content.decode()
    assert response.status_code in (200, 403)
    assert case.number not in body and case.description not in body
    assert CaseEvent.objects.count() == events


# Queues that are not a post's work answer 403 for it.
REFUSED_PAGES = [
    ("console:intake", "dora"),
    ("console:intake", "carl"),
    ("console:dispatch", "olga"),
    ("console:dispatch", "hans"),
    ("console:department", "olga"),
    ("console:department", "lily"),
    ("console:lead", "dora"),
    ("console:lead", "carl"),
    ("console:verify", "carl"),
    ("console:verify", "olga"),
    ("console:overdue", "olga"),
    ("console:overdue", "carl"),
]


@pytest.mark.parametrize("name,persona", REFUSED_PAGES)
def test_a_queue_outside_ones_post_is_refused(client, city, people, name, persona):
    client.force_login(people[persona])
    response = client.get(reverse(name))
    assert response.status_code == 403
    assert "不属于" in response.content.decode()


# (persona, state the case is in, action they try, form data): all must be refused.
WRONG = [
    ("olga", "filed", "dispatch", {}),
    ("dora", "submitted", "accept", {}),
    ("carl", "submitted", "accept", {}),
    ("nina", "dispatched", "take", {}),
    ("hans", "dispatched", "take", {}),  # at 市环卫中心, above hans
    ("carl", "resolved", "verify_pass", {}),
    ("ivan", "verified", "close", {}),
    ("lily", "filed", "void", {"reason": "测试"}),
    ("dora", "closed", "reopen", {"reason": "测试"}),
    ("adam", "submitted", "reject", {"reason": "测试"}),
    ("nina", "in_progress", "feedback", {"note": "已处理"}),
    ("olga", "in_progress", "request_return", {"reason": "测试"}),
    ("carl", "in_progress", "urge", {}),
    ("carl", "closed", "callback", {"result": "satisfied"}),
]


@pytest.mark.parametrize("persona,state,action,data", WRONG, ids=[f"{w[0]}-{w[2]}" for w in WRONG])
def test_an_action_by_the_wrong_person_is_refused_and_writes_nothing(
    client, city, people, persona, state, action, data
):
    case = walk(city, people, state)
    before = (case.state, case.updated_at, CaseEvent.objects.count(), case.requests.count())
    client.force_login(people[persona])
    response = client.post(reverse("console:case_action", args=[case.number, action]), data)
    assert response.status_code == 403
    case.refresh_from_db()
    assert (case.state, case.updated_at, CaseEvent.objects.count(), case.requests.count()) == before


def test_a_get_cannot_change_a_case(client, case, people):
    client.force_login(people["carl"])
    response = client.get(reverse("console:case_action", args=[case.number, "take"]))
    assert response.status_code == 405
    case.refresh_from_db()
    assert case.state == "dispatched"


def test_an_action_needs_the_csrf_token(case, people):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(people["carl"])
    response = client.post(reverse("console:case_action", args=[case.number, "take"]))
    assert response.status_code == 403
    case.refresh_from_db()
    assert case.state == "dispatched"


def test_an_unknown_case_is_404_not_a_hint(client, city, people):
    client.force_login(people["nina"])
    assert client.get(reverse("console:case", args=["20990101-0001"])).status_code == 404


def test_the_handler_sees_the_original_photo_of_its_own_case(client, case, people):
    client.force_login(people["carl"])
    response = client.get(reverse("console:photo", args=[case.photos.get().uuid]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"


def test_every_staff_post_reaches_its_own_queue(client, city, people):
    for persona in people.values():
        client.force_login(persona)
        response = client.get(reverse("console:home"), follow=True)
        if persona.role == Role.ADMIN:
            continue  # no queue of its own: sent to search (another module)
        assert response.status_code == 200, persona.username


def test_the_list_above_covers_every_workflow_view():
    from suishoupai.web.console import workflow_urls

    public = {"login", "logout"}
    names = {p.name for p in workflow_urls.urlpatterns} - public
    assert names == {v[0].removeprefix("console:") for v in VIEWS}


@pytest.mark.parametrize(
    "persona,action",
    [
        ("nina", "request_appeal"),  # another department
        ("hans", "request_appeal"),  # below 市环卫中心: the case is not his yet
        ("olga", "request_appeal"),  # the centre does not appeal its own marks
        ("carl", "approve_appeal"),  # a department never decides its own appeal
        ("dora", "deny_appeal"),
    ],
)
def test_an_appeal_by_the_wrong_person_is_refused_and_writes_nothing(
    client, city, people, persona, action
):
    case = walk(city, people, "in_progress", overdue=True)
    if action != "request_appeal":
        services.request_appeal(case, people["carl"], reason="现场无法进入")
    before = (case.is_overdue, CaseEvent.objects.count(), list(case.requests.values("decision")))
    client.force_login(people[persona])
    url = reverse("console:case_action", args=[case.number, action])
    response = client.post(url, {"reason": "试试", "note": "试试"})
    assert response.status_code == 403
    case.refresh_from_db()
    after = (case.is_overdue, CaseEvent.objects.count(), list(case.requests.values("decision")))
    assert after == before
