"""The reporter's link in messages opens that one case, for a while, and nothing else."""

from datetime import timedelta

import time_machine
from django.test import override_settings
from django.utils import timezone

from suishoupai.cases.links import grant_opens, reporter_grant, reporter_link


def test_a_grant_opens_its_own_case_only():
    grant = reporter_grant("20261125-0001")
    assert grant_opens("20261125-0001", grant)
    assert not grant_opens("20261125-0002", grant)


def test_a_tampered_or_made_up_grant_opens_nothing():
    grant = reporter_grant("20261125-0001")
    assert not grant_opens("20261125-0001", grant[:-1] + ("A" if grant[-1] != "A" else "B"))
    assert not grant_opens("20261125-0001", "")
    assert not grant_opens("20261125-0001", "2Wb." + "x" * 16)
    assert not grant_opens("20261125-0001", "!!." + grant.partition(".")[2])


@override_settings(REPORTER_LINK_DAYS=30)
def test_a_grant_expires_after_reporter_link_days_counted_in_whole_days():
    made = timezone.now().replace(hour=23, minute=0)  # late in the (UTC) day it is made
    with time_machine.travel(made, tick=False):
        grant = reporter_grant("20261125-0001")
    with time_machine.travel(made + timedelta(days=29, minutes=30), tick=False):
        assert grant_opens("20261125-0001", grant)
    with time_machine.travel(made + timedelta(days=30, minutes=-60), tick=False):
        assert not grant_opens("20261125-0001", grant)


def test_a_grant_is_short_enough_for_an_sms():
    assert len(reporter_grant("20261125-0001")) <= 20


@override_settings(SECRET_KEY="another-install-another-key")
def test_a_grant_from_another_install_opens_nothing():
    with override_settings(SECRET_KEY="this-install"):
        grant = reporter_grant("20261125-0001")
    assert not grant_opens("20261125-0001", grant)


@override_settings(SITE_URL="https://ssp.example.cn")
def test_the_link_is_the_case_page_with_the_grant_in_the_fragment_and_no_token():
    link = reporter_link("20261125-0001")
    page, _, grant = link.partition("#k=")
    assert page == "https://ssp.example.cn/m/cases/20261125-0001"
    assert grant_opens("20261125-0001", grant)
    assert "t=" not in link
