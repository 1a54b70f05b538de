"""The city adds its own examples in the admin and retrains from there."""

import pytest
from django.test import Client

from suishoupai.catalog.models import Subcategory
from suishoupai.org.models import User
from suishoupai.triage.models import TriageExample, TriageModel


@pytest.fixture
def root(db) -> Client:
    client = Client()
    client.force_login(User.objects.create_superuser("root", password="correct-horse-battery"))
    return client


def test_an_example_for_another_agency_is_added_in_the_admin(harbin_catalogue, root):
    response = root.post(
        "/admin/triage/triageexample/add/",
        {"text": "小区的暖气片冰凉", "subcategory": "", "agency": "heating"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    example = TriageExample.objects.get()
    assert (example.agency, example.created_by.username) == ("heating", "root")


def test_an_example_with_two_answers_is_refused_with_a_message(harbin_catalogue, root):
    sub = Subcategory.objects.get(code="manhole_cover-missing")
    response = root.post(
        "/admin/triage/triageexample/add/",
        {"text": "井盖没了", "subcategory": sub.pk, "agency": "heating"},
    )
    assert response.status_code == 200 and not TriageExample.objects.exists()


def test_the_retrain_action_trains_a_new_model(triage_model, root):
    response = root.post(
        "/admin/triage/triagemodel/",
        {"action": "retrain", "_selected_action": [triage_model.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert TriageModel.objects.count() == 2


@pytest.mark.parametrize(
    "url",
    [
        "/admin/triage/triageexample/",
        "/admin/triage/triagemodel/",
        "/admin/triage/suggestionfeedback/",
        "/admin/triage/casetriage/",
    ],
)
def test_the_triage_pages_open(harbin_catalogue, root, url):
    assert root.get(url).status_code == 200
