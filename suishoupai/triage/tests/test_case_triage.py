"""A new report is triaged in the background; the operator's choice is kept for training."""

import pytest

from suishoupai.cases import services as cases
from suishoupai.cases.models import CaseEvent
from suishoupai.cases.signals import event_committed
from suishoupai.errors import InvalidInput
from suishoupai.triage import services, training
from suishoupai.triage.models import CaseTriage, SuggestionFeedback

JINGYU = (45.7808, 126.6488)


def submit(text: str, category: str = "sanitation"):
    case, _token = cases.submit(
        cases.Report(category=category, description=text, lat=JINGYU[0], lng=JINGYU[1])
    )
    return case


def committed(case, action: str) -> None:
    # What cases.services sends after commit (wired by the lead at the structure merge).
    event = CaseEvent.objects.filter(case=case, action=action).last()
    event_committed.send(sender=CaseEvent, event=event)


def test_a_submitted_report_gets_its_suggestion_warning_and_urgency(triage_model):
    case = submit("学校门口井盖丢了，刚才一个孩子差点掉进去，太危险了")
    committed(case, "case.submitted")
    row = CaseTriage.objects.get(case=case)
    assert row.suggestions[0]["category"] == "manhole_cover"
    assert row.out_of_scope < 0.5 and row.urgency >= 0.5
    assert row.model_id == triage_model.pk


def test_a_report_for_another_agency_is_stored_with_the_reason(triage_model):
    case = submit("家里暖气不热，屋里才十二度")
    committed(case, "case.submitted")
    row = CaseTriage.objects.get(case=case)
    assert row.out_of_scope >= 0.5 and "供热" in row.out_of_scope_reason


def test_nothing_is_triaged_before_a_model_exists(harbin_catalogue):
    case = submit("路边有一堆垃圾")
    committed(case, "case.submitted")
    assert not CaseTriage.objects.exists()


def test_a_rating_comment_gets_its_own_sentiment(triage_model, city, people):
    case = submit("路边有一堆垃圾")
    committed(case, "case.submitted")
    case.state = "closed"
    case.save(update_fields=["state"])
    cases.rate(case, rating="unsatisfied", comment="说是处理了，根本没人来过，敷衍了事")
    committed(case, "case.rated")
    row = CaseTriage.objects.get(case=case)
    assert row.rating_sentiment is not None and row.rating_sentiment < 0


def test_accepting_and_correcting_are_recorded_and_trained_on(triage_model, olga):
    plain = submit("小区门口垃圾桶满了，垃圾撒了一地")
    odd = submit("路边那个东西又坏了")
    for case in (plain, odd):
        services.triage_case(case.pk)
    top = CaseTriage.objects.get(case=plain).suggestions[0]["subcategory"]
    accepted = services.record_feedback(plain, olga, chosen=top)
    corrected = services.record_feedback(odd, olga, chosen="public_toilet-facility")
    assert accepted.accepted and not corrected.accepted
    assert corrected.suggested.code != "public_toilet-facility"
    sources = training.category_examples().sources
    assert sources["feedback_accepted"] == 1 and sources["feedback_corrected"] == 1


def test_feedback_refuses_an_unknown_answer(triage_model, olga):
    case = submit("路边有一堆垃圾")
    services.triage_case(case.pk)
    with pytest.raises(InvalidInput):
        services.record_feedback(case, olga, chosen="no-such-subcategory")
    with pytest.raises(InvalidInput):
        services.record_feedback(case, olga)
    assert not SuggestionFeedback.objects.exists()


def test_feedback_on_a_case_without_a_suggestion_is_not_recorded(harbin_catalogue, olga):
    case = submit("路边有一堆垃圾")
    assert services.record_feedback(case, olga, chosen="sanitation-exposed_garbage") is None


def test_statistics_show_satisfaction_next_to_what_the_comments_say(triage_model):
    from suishoupai.cases.models import Case
    from suishoupai.triage.selectors import comment_mood

    for comment, rating in [
        ("处理很及时，非常满意", "satisfied"),
        ("", "satisfied"),
        ("根本没修好，敷衍了事", "unsatisfied"),
    ]:
        case = submit("路边有一堆垃圾")
        case.state = "closed"
        case.save(update_fields=["state"])
        cases.rate(case, rating=rating, comment=comment)
        services.rate_comment(case.pk)
    rows = {r["rating"]: r for r in comment_mood(Case.objects.all())}
    assert rows["satisfied"]["cases"] == 2 and rows["satisfied"]["comments"] == 1
    assert rows["satisfied"]["mood"] > 0 > rows["unsatisfied"]["mood"]


def test_filing_a_report_records_whether_the_suggestion_was_taken(triage_model, city, olga):
    taken = submit("井盖没了，黑乎乎一个洞")
    changed = submit("路边那个东西又坏了")
    for case in (taken, changed):
        committed(case, "case.submitted")
    cases.accept(taken, olga, condition="manhole_cover-missing-hazard")
    cases.accept(changed, olga, condition="public_toilet-facility-broken")
    for case in (taken, changed):
        committed(case, "case.filed")
    committed(taken, "case.filed")  # delivered twice: still one row
    rows = {fb.case_id: fb for fb in SuggestionFeedback.objects.all()}
    assert len(rows) == 2
    assert rows[taken.pk].accepted and rows[taken.pk].actor == olga
    assert not rows[changed.pk].accepted
    assert rows[changed.pk].chosen.code == "public_toilet-facility"
