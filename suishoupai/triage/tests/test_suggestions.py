"""Category suggestions, the out-of-scope warning and sentiment, on the trained model."""

import io

import pytest
from django.core.management import call_command

from suishoupai.catalog.models import Subcategory
from suishoupai.errors import InvalidInput
from suishoupai.triage import engine, selectors, services
from suishoupai.triage.models import TriageExample, TriageModel


def test_it_suggests_nothing_before_any_model_is_trained(harbin_catalogue):
    result = selectors.suggest("井盖丢了")
    assert result.suggestions == [] and result.out_of_scope == 0.0


def test_it_suggests_the_category_and_subcategory_of_a_plain_report(triage_model):
    result = selectors.suggest("人行道上的井盖没了，黑乎乎一个洞")
    top = result.suggestions[0]
    assert (top.category, top.subcategory) == ("manhole_cover", "manhole_cover-missing")
    assert top.score > 0.5 and not result.flagged


def test_suggestions_are_ranked_categories_with_scores_that_sum_below_one(triage_model):
    result = selectors.suggest("小区门口垃圾桶满了，垃圾撒了一地", limit=3)
    scores = [s.score for s in result.suggestions]
    assert len(scores) == 3 and scores == sorted(scores, reverse=True)
    assert len({s.category for s in result.suggestions}) == 3
    assert sum(scores) + result.out_of_scope <= 1.0001


@pytest.mark.parametrize(
    ("text", "agency"),
    [
        ("家里暖气一点都不热，供热公司不管", "heating"),
        ("我想咨询一下个人所得税怎么退", "tax"),
        ("路口的红绿灯坏了一直闪黄灯", "traffic_police"),
    ],
)
def test_it_flags_what_belongs_to_another_agency_and_says_which(triage_model, text, agency):
    result = selectors.suggest(text)
    assert result.flagged and result.agency == agency
    assert result.reason  # the agency's name from the city's config


def test_a_blank_text_gets_no_suggestion(triage_model):
    assert selectors.suggest("   ").suggestions == []


def test_sentiment_raises_danger_and_anger_but_not_a_plain_report(triage_model):
    assert selectors.sentiment("井盖没了，孩子差点掉进去，太危险了").urgency >= 0.5
    assert selectors.sentiment("投诉了好几次一直没人管，太气人了").urgency >= 0.5
    plain = selectors.sentiment("路边有一堆垃圾，麻烦清理")
    assert plain.urgency < 0.5
    assert selectors.sentiment("处理很及时，非常满意").score > 0.3


def test_retraining_with_one_command_uses_the_city_s_admin_examples(triage_model, adam):
    # Words the shipped data has never seen, taught as a closed public toilet.
    text = "锟斤拷锟斤拷"
    before = selectors.suggest(text, limit=1)
    assert before.suggestions[0].subcategory != "public_toilet-closed"
    for _ in range(3):
        services.add_example(text, subcategory="public_toilet-closed", actor=adam)
    call_command("train_triage", stdout=io.StringIO())
    assert TriageModel.objects.count() == 2
    model = TriageModel.objects.latest()
    assert model.examples["category"]["examples_admin"] == 3
    after = selectors.suggest(text, limit=1)
    assert after.suggestions[0].subcategory == "public_toilet-closed" and not after.flagged
    assert after.model == model.pk


def test_an_example_needs_exactly_one_answer(harbin_catalogue):
    with pytest.raises(InvalidInput):
        services.add_example("暖气不热")
    with pytest.raises(InvalidInput):
        services.add_example("暖气不热", subcategory="manhole_cover-missing", agency="heating")
    with pytest.raises(InvalidInput):
        services.add_example("暖气不热", agency="no_such_agency")
    assert not TriageExample.objects.exists()


def test_a_deactivated_subcategory_is_never_suggested(triage_model):
    Subcategory.objects.filter(code="manhole_cover-missing").update(active=False)
    engine.forget()
    result = selectors.suggest("井盖没了，黑乎乎一个洞", limit=10)
    assert all(s.subcategory != "manhole_cover-missing" for s in result.suggestions)
