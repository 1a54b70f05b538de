"""The Chinese catalogue is complete, compiled, and used by default.

The .po is parsed here with a small reader (polib is not a dependency), so the
checks run without GNU gettext installed.
"""

import ast
import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils.translation import override

from suishoupai.cases.states import State

CATALOGUE = Path(settings.LOCALE_PATHS[0]) / "zh_Hans" / "LC_MESSAGES"
PO = CATALOGUE / "django.po"
# The project catalogue and each app's own (apps keep their strings in <app>/locale).
ALL_PO = sorted(
    Path(settings.BASE_DIR, "suishoupai").glob("**/locale/zh_Hans/LC_MESSAGES/django.po")
)
each_catalogue = pytest.mark.parametrize(
    "po", ALL_PO, ids=lambda p: str(p.parent.parent.parent.parent.name)
)


def read_po(path: Path) -> list[dict]:
    """Entries of a .po file: msgid, msgid_plural, msgstr (or msgstr[n]), flags.

    Obsolete entries (#~) are skipped, as msgfmt does.
    """
    entries: list[dict] = []
    entry: dict = {"flags": set()}
    field = None

    def finish() -> None:
        nonlocal entry, field
        if "msgid" in entry:
            entries.append(entry)
        entry, field = {"flags": set()}, None

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            finish()
        elif line.startswith("#,"):
            entry["flags"].update(f.strip() for f in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            entry[field] += ast.literal_eval(line)
        else:
            keyword, _, value = line.partition(" ")
            if keyword == "msgid" and any(k.startswith("msgstr") for k in entry):
                finish()
            field = keyword
            entry[field] = ast.literal_eval(value)
    finish()
    return entries


def translations(entries: list[dict]) -> dict:
    """What msgfmt would compile: the same keys GNUTranslations uses."""
    compiled: dict = {}
    for e in entries:
        if "fuzzy" in e["flags"] and e["msgid"]:
            continue
        # A context is stored as "context\x04msgid", as GNU gettext does.
        msgid = f"{e['msgctxt']}\x04{e['msgid']}" if "msgctxt" in e else e["msgid"]
        if "msgid_plural" in e:
            for key, value in e.items():
                if key.startswith("msgstr[") and value:
                    compiled[(msgid, int(key[7:-1]))] = value
        elif e.get("msgstr"):
            compiled[msgid] = e["msgstr"]
    return compiled


def messages(entries: list[dict]) -> list[dict]:
    return [e for e in entries if e["msgid"]]  # the header has the empty msgid


def test_the_chinese_catalogue_exists_and_has_messages():
    assert len(messages(read_po(PO))) > 100


@each_catalogue
def test_every_message_has_a_chinese_translation(po):
    untranslated = [
        e["msgid"]
        for e in messages(read_po(po))
        if not all(v for k, v in e.items() if k.startswith("msgstr"))
    ]
    assert untranslated == []


@each_catalogue
def test_no_translation_is_left_fuzzy(po):
    assert [e["msgid"] for e in read_po(po) if "fuzzy" in e["flags"]] == []


@each_catalogue
def test_translations_keep_every_placeholder(po):
    placeholder = re.compile(r"%(?:\([a-z_]+\))?[sd]")

    def found(text: str) -> list[str]:
        return sorted(placeholder.findall(text))

    wrong = []
    for e in messages(read_po(po)):
        # Chinese has one plural form: it must keep the plural source's placeholders.
        source = e.get("msgid_plural", e["msgid"])
        targets = [v for k, v in e.items() if k.startswith("msgstr")]
        if any(found(t) != found(source) for t in targets):
            wrong.append(e["msgid"])
    assert wrong == []


@each_catalogue
def test_the_compiled_catalogue_matches_the_source_catalogue(po):
    with po.with_suffix(".mo").open("rb") as fp:
        compiled = gettext.GNUTranslations(fp)._catalog  # type: ignore[attr-defined]
    expected = translations(read_po(po))
    compiled = {k: v for k, v in compiled.items() if k != ""}
    expected = {k: v for k, v in expected.items() if k != ""}
    assert set(compiled) == set(expected), "django.mo is stale: run `make messages`"
    assert compiled == expected, "django.mo is stale: run `make messages`"


def test_state_labels_are_chinese_by_default_and_english_on_request():
    with override("zh-hans"):
        assert str(State.SUBMITTED.label) == "待受理"
    with override("en"):
        assert str(State.SUBMITTED.label) == "Awaiting acceptance"


def test_chinese_is_the_default_language():
    assert settings.LANGUAGE_CODE == "zh-hans"


def test_it_tells_the_closed_state_from_the_closed_family():
    from suishoupai.cases.states import Family

    with override("zh-hans"):
        assert (str(State.CLOSED.label), str(Family.CLOSED.label)) == ("已结案", "已办结")


def test_pages_stay_chinese_whatever_the_browser_prefers(db, client):
    page = client.get("/", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert "公开案件" in page.content.decode()


def test_a_person_can_switch_the_pages_to_english_and_it_is_remembered(db, client):
    assert "Public cases" in client.get("/?lang=en").content.decode()
    assert "Public cases" in client.get("/").content.decode()
    assert "公开案件" in client.get("/?lang=zh-hans").content.decode()


def test_one_message_has_one_translation_across_our_catalogues():
    # Django takes the first catalogue that has a msgid (the project's, then each app's in
    # INSTALLED_APPS order), so a second, different translation would silently never show.
    # Where two meanings share an English word, give them a context (pgettext).
    seen: dict = {}
    for po in ALL_PO:
        for e in messages(read_po(po)):
            if "msgid_plural" in e:
                continue
            seen.setdefault((e.get("msgctxt"), e["msgid"]), set()).add(e["msgstr"])
    assert {key: texts for key, texts in seen.items() if len(texts) > 1} == {}


@each_catalogue
def test_no_translation_doubles_its_punctuation(po):
    # Chinese marks, two in a row ("职责。。", "，。"); a placeholder's text is checked where
    # it is filled in (notify/tests/test_texts.py for the messages).
    doubled = re.compile(r"[。，、；：！？][。，、；：！？]")
    found = [
        text
        for e in messages(read_po(po))
        for key, text in e.items()
        if key.startswith("msgstr") and doubled.search(text)
    ]
    assert found == []
