"""Two copies of one retried upload, or two taps of "me too", at the same moment (PostgreSQL)."""

from suishoupai.cases import services
from suishoupai.cases.models import Case, CaseSupport
from suishoupai.factories import DAOWAI
from suishoupai.tests.concurrency import POSTGRES_ONLY, race

pytestmark = POSTGRES_ONLY

KEY = "same-key-from-one-phone-0001"


def report() -> services.Report:
    return services.Report(category="sanitation", description="垃圾", lat=DAOWAI[0], lng=DAOWAI[1])


def test_two_copies_of_one_retry_make_one_case_with_one_token(city):
    results = race(
        lambda: services.submit(report(), client_ref=KEY),
        lambda: services.submit(report(), client_ref=KEY),
    )
    assert not [r for r in results if isinstance(r, Exception)], results
    (case_a, token_a), (case_b, token_b) = results
    assert case_a.pk == case_b.pk and token_a == token_b
    assert Case.objects.count() == 1


def test_two_taps_of_me_too_from_one_device_count_once(city, olga):
    case, _token = services.submit(report())
    services.accept(case, olga)
    results = race(
        lambda: services.support(case.pk, device="d" * 32),
        lambda: services.support(case.pk, device="d" * 32),
    )
    assert sorted(counted for _case, counted in results) == [False, True]
    case.refresh_from_db()
    assert case.support_count == 1 == CaseSupport.objects.count()
