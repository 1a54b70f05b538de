"""Every message text reads right: no doubled punctuation ("原因：……职责。。"), whatever a person
typed at the end of a reason or note, in Chinese and in English."""

import re

import pytest
from django.utils.translation import override

from suishoupai.cases import services as cases
from suishoupai.cases.tests.journeys import report
from suishoupai.notify.models import Message
from suishoupai.notify.rules import free_text
from suishoupai.notify.texts import TEXTS

from .test_who_is_told import PHONE, at

# Two sentence or clause marks in a row, with or without a space between ("…" is one mark).
DOUBLED = re.compile(r"[。．.，,、；;：:！!？?]\s*[。．.，,、；;：:！!？?]")
# What people end a reason or a note with.
ENDINGS = ["", "。", ".", "！", "？", "；", "，", "。 ", "……"]


def sample(ending: str) -> dict[str, str]:
    typed = {"reason": "非城管职责范围" + ending, "note": "已清理干净" + ending}
    return {
        "number": "20261125-0001",
        "link": "https://ssp.example.cn/m/cases/20261125-0001#k=2Wb.3q2-7wAbCdEfGhIjKlMn",
        "department": "道外区环卫部门",
        "reason": free_text(typed["reason"]),
        "note": free_text(typed["note"]),
        "into": "20261125-0002",
        "what": free_text("环境卫生 道外区靖宇街" + ending),
        "due": "11-26 09:00",
    }


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("ending", ENDINGS)
def test_no_text_doubles_its_punctuation(language, ending):
    with override(language):
        rendered = {
            kind: (str(subject) % sample(ending), str(body) % sample(ending))
            for kind, (subject, body) in TEXTS.items()
        }
    doubled = {kind: texts for kind, texts in rendered.items() if DOUBLED.search(" ".join(texts))}
    assert doubled == {}


def test_the_check_catches_what_the_issue_saw():
    assert DOUBLED.search("您反映的问题未予立案，原因：非城管职责范围。。查看：")


@pytest.mark.django_db
def test_a_reason_typed_with_a_full_stop_is_not_followed_by_another(
    city, people, django_capture_on_commit_callbacks
):
    case = report(city, phone=PHONE)
    with django_capture_on_commit_callbacks(execute=True):
        cases.reject(case, people["olga"], reason="非城管职责范围，请拨打12345。", now=at(5))
    body = Message.objects.get(kind="reporter.rejected").body
    assert "原因：非城管职责范围，请拨打12345。查看：" in body
    assert not DOUBLED.search(body.split("查看：")[0])
