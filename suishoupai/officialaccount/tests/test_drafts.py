"""Drafts as the report page and the submission use them: photos kept or removed,
checked again on the way in, files gone once sent or expired."""

from datetime import timedelta

import pytest
from django.utils import timezone

from suishoupai.errors import InvalidInput, NotFound
from suishoupai.officialaccount import selectors, services
from suishoupai.officialaccount.models import Draft, DraftPhoto
from suishoupai.tests import fake_wechat as wx

pytestmark = pytest.mark.django_db

ALICE = "oAlice0123456789abcdefghijk"
BOB = "oBob00123456789abcdefghijkl"


@pytest.fixture
def two_photos(wechat_on):
    wechat_on.media["p1"] = ("image/jpeg", wx.photo_bytes(color=(10, 20, 30)))
    wechat_on.media["p2"] = ("image/jpeg", wx.photo_bytes(color=(200, 210, 220)))
    photos = [services.add_photo(ALICE, m) for m in ("p1", "p2")]
    for photo in photos:
        services.fetch_photo(photo.pk)
    return photos


def test_the_page_gets_the_draft_without_the_openid(two_photos):
    draft = two_photos[0].draft
    services.add_location(ALICE, 45.78, 126.65, "道外区")
    page = selectors.draft_for_page(Draft.objects.get(pk=draft.pk))
    assert page["coord_system"] == "gcj02" and page["address"] == "道外区"
    assert [p["status"] for p in page["photos"]] == ["ready", "ready"]
    assert ALICE not in str(page)


def test_only_the_photos_the_citizen_kept_go_into_the_case(two_photos):
    draft = two_photos[0].draft
    kept = services.checked_photos(draft, [two_photos[1].pk])
    assert len(kept) == 1 and kept[0].content_type == "image/jpeg"
    assert len(services.checked_photos(draft)) == 2


def test_a_photo_still_being_fetched_holds_the_sending(wechat_on):
    photo = services.add_photo(ALICE, "slow")
    with pytest.raises(InvalidInput, match="微信"):
        services.checked_photos(photo.draft)


def test_a_page_photo_joins_the_followers_draft_and_never_anothers(wechat_on):
    alices = services.add_text(ALICE, "路灯不亮")
    services.add_page_photo(ALICE, "page-1", draft=alices)
    assert alices.photos.count() == 1
    with pytest.raises(NotFound):
        services.add_page_photo(BOB, "page-2", draft=alices)
    bobs = services.add_page_photo(BOB, "page-3").draft
    assert bobs.openid == BOB and bobs.pk != alices.pk


def test_sending_closes_the_draft_and_removes_its_files_after_commit(
    two_photos, django_capture_on_commit_callbacks
):
    draft = two_photos[0].draft
    storage = two_photos[0].file.storage
    names = [p.file.name for p in DraftPhoto.objects.filter(draft=draft)]
    with django_capture_on_commit_callbacks(execute=True):
        services.close(draft, None)
    draft.refresh_from_db()
    assert draft.submitted_at and not draft.is_open and draft.text == ""
    assert not any(storage.exists(n) for n in names)
    with pytest.raises(NotFound):
        services.draft_for_token(services.token_for(draft))


def test_old_drafts_are_purged_with_their_files(two_photos, settings):
    settings.WECHAT_DRAFT_DAYS = 3
    stored = DraftPhoto.objects.get(pk=two_photos[0].pk).file
    storage, name = stored.storage, stored.name
    assert storage.exists(name)
    later = timezone.now() + timedelta(days=3, minutes=1)
    assert services.purge(later) >= 1
    assert not Draft.objects.exists() and not storage.exists(name)


def test_lost_fetches_are_queued_again(wechat_on):
    wechat_on.media["late"] = ("image/jpeg", wx.photo_bytes())
    photo = services.add_photo(ALICE, "late")  # its task never ran (no commit here)
    assert services.requeue_pending(timezone.now() + timedelta(minutes=3)) == [photo.pk]
    photo.refresh_from_db()
    assert photo.status == "ready"
