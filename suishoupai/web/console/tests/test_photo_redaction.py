"""打码 and hiding in the console: olga and leo blur more of a public copy or hide a
photo through photos.services; the original is untouched and each change is on the
timeline; handlers and inspectors are refused with nothing written."""

import io
import json

import numpy as np
import pytest
from django.test import Client
from django.urls import reverse
from PIL import Image

from suishoupai import factories as f
from suishoupai.cases import services
from suishoupai.cases.models import Case, CaseEvent
from suishoupai.photos.models import DerivativeStatus, Photo
from suishoupai.photos.services import check_uploads

pytestmark = pytest.mark.django_db


def _checkerboard() -> bytes:
    # Sharp edges everywhere, so a blurred box is plain to measure.
    cells = (np.indices((480, 640)) // 16).sum(axis=0) % 2
    out = io.BytesIO()
    Image.fromarray((cells * 255).astype(np.uint8)).convert("RGB").save(out, "JPEG", quality=95)
    return out.getvalue()


ORIGINAL = _checkerboard()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def case(city, people, django_capture_on_commit_callbacks) -> Case:
    """A filed, public report at 道外 with one photo whose public copy is made."""
    lat, lng = f.DAOWAI
    with django_capture_on_commit_callbacks(execute=True):
        case, _token = services.submit(
            services.Report(category="sanitation", description="路边有垃圾", lat=lat, lng=lng),
            check_uploads([("a.jpg", ORIGINAL)]),
        )
    services.accept(case, people["olga"])
    case.refresh_from_db()
    assert case.photos.get().status == DerivativeStatus.READY
    return case


def _pixels(photo: Photo) -> np.ndarray:
    with photo.public_file.open("rb") as handle:
        return np.asarray(Image.open(io.BytesIO(handle.read())).convert("L"), dtype=np.int16)


def _act(client, photo: Photo, op: str, **data):
    return client.post(reverse("console:photo_action", args=[photo.uuid, op]), data)


def _written() -> tuple:
    photo = Photo.objects.get()
    return (CaseEvent.objects.count(), photo.revision, photo.hidden, photo.redactions)


def test_olga_draws_a_box_and_only_the_public_copy_is_blurred(
    client, case, people, django_capture_on_commit_callbacks
):
    photo = case.photos.get()
    before = _pixels(photo)
    # Boxes are in pixels of the public copy, which may be smaller than the original.
    scale = photo.public_width / 640
    box = {"x": round(100 * scale), "y": round(100 * scale), "w": round(160 * scale)}
    box["h"] = round(96 * scale)
    client.force_login(people["olga"])
    with django_capture_on_commit_callbacks(execute=True):
        response = _act(client, photo, "redact", boxes=json.dumps([box]), note="门牌号")
    assert response.status_code == 302
    assert response["Location"] == reverse("console:case", args=[case.number]) + (
        f"#photo-{photo.uuid}"
    )
    photo.refresh_from_db()
    assert photo.status == DerivativeStatus.READY and photo.revision == 1
    diff = np.abs(_pixels(photo) - before)
    x, y, w, h = box["x"], box["y"], box["w"], box["h"]
    assert diff[y : y + h, x : x + w].mean() > 40  # mosaic where the box is
    outside = diff.copy()
    outside[y - 6 : y + h + 6, x - 6 : x + w + 6] = 0
    assert outside.mean() < 2
    with photo.original.open("rb") as handle:
        assert handle.read() == ORIGINAL  # the evidence is untouched
    event = CaseEvent.objects.get(case=case, action="photo.redacted")
    assert event.actor == people["olga"] and event.note == "门牌号"
    assert event.data["boxes"] == [{**box, "kind": "staff"}]
    page = client.get(reverse("console:case", args=[case.number])).content.decode()
    assert "照片已加打码" in page and "photo.redacted" not in page
    assert "已生成" in page
    assert "保存打码" in page  # the 打码 panel is offered again for the new copy


def test_staff_see_the_public_copy_before_the_case_is_public(
    client, city, people, django_capture_on_commit_callbacks
):
    lat, lng = f.DAOWAI
    with django_capture_on_commit_callbacks(execute=True):
        case, _token = services.submit(
            services.Report(category="sanitation", description="路边有垃圾", lat=lat, lng=lng),
            check_uploads([("a.jpg", ORIGINAL)]),
        )
    photo = case.photos.get()
    client.force_login(people["olga"])
    response = client.get(reverse("console:photo_copy", args=[photo.uuid]))
    assert response.status_code == 200 and response["Content-Type"] == "image/webp"
    assert b"".join(response.streaming_content)[8:12] == b"WEBP"
    assert Client().get(reverse("photos:public", args=[photo.uuid])).status_code == 404


def test_leo_hides_a_photo_and_the_public_api_no_longer_lists_it(client, case, people):
    photo = case.photos.get()

    def public_urls() -> list:
        detail = Client().get(f"/api/v1/cases/{case.number}").json()
        return [p["url"] for e in detail["timeline"] for p in e["photos"] if p["url"]]

    assert public_urls()  # shown before
    client.force_login(people["leo"])
    assert _act(client, photo, "hide").status_code == 302
    assert public_urls() == []
    assert Client().get(reverse("photos:public", args=[photo.uuid])).status_code == 404
    page = client.get(reverse("console:case", args=[case.number])).content.decode()
    assert "照片已对公众隐藏" in page and "对公众显示" in page
    assert _act(client, photo, "show").status_code == 302
    assert public_urls()
    actions = list(CaseEvent.objects.filter(action__startswith="photo.").values_list("action"))
    assert actions == [("photo.hidden",), ("photo.shown",)]


@pytest.mark.parametrize("who", ["nina", "hans", "ivan", "carl", "dora"])
@pytest.mark.parametrize("op", ["redact", "hide", "retry"])
def test_other_posts_are_refused_and_nothing_is_written(client, case, people, who, op):
    photo = case.photos.get()
    services.dispatch(case, people["dora"])
    before = _written()
    client.force_login(people[who])
    boxes = json.dumps([{"x": 1, "y": 1, "w": 20, "h": 20}])
    response = _act(client, photo, op, boxes=boxes)
    assert response.status_code == 403
    assert before == _written()
    if who in ("carl", "dora"):
        # They see the case, but get no photo buttons.
        page = client.get(reverse("console:case", args=[case.number])).content.decode()
        assert "对公众隐藏" not in page and "data-redact" not in page


@pytest.mark.parametrize(
    "boxes,message",
    [
        ("", "无法读取"),
        ("{not json", "无法读取"),
        ('{"x": 1}', "无法读取"),
        ("[]", "1"),
        ('[{"x": 1, "y": 1}]', "x、y、w"),
        ('[{"x": 5000, "y": 5000, "w": 10, "h": 10}]', "公开版本"),
    ],
)
def test_bad_boxes_are_a_400_in_chinese_and_nothing_is_written(
    client, case, people, boxes, message
):
    photo = case.photos.get()
    before = _written()
    client.force_login(people["olga"])
    response = _act(client, photo, "redact", boxes=boxes)
    assert response.status_code == 400
    body = response.content.decode()
    assert 'id="action-error"' in body and message in body
    assert before == _written()


def test_a_failed_copy_shows_its_error_to_staff_and_can_be_retried(
    client, case, people, django_capture_on_commit_callbacks
):
    photo = case.photos.get()
    Photo.objects.filter(pk=photo.pk).update(
        status=DerivativeStatus.FAILED, derived_revision=None, error="OSError: disk full"
    )
    client.force_login(people["olga"])
    page = client.get(reverse("console:case", args=[case.number])).content.decode()
    assert "生成失败" in page and "OSError: disk full" in page
    with django_capture_on_commit_callbacks(execute=True):
        assert _act(client, photo, "retry").status_code == 302
    photo.refresh_from_db()
    assert photo.status == DerivativeStatus.READY and photo.error == ""


def test_an_unknown_photo_operation_is_404(client, case, people):
    client.force_login(people["olga"])
    assert _act(client, case.photos.get(), "delete").status_code == 404


def test_while_the_new_copy_is_made_the_card_polls_and_boxes_wait(
    client, case, people, django_capture_on_commit_callbacks
):
    """A worker makes the copy after the request: the card says so and refreshes itself."""
    photo = case.photos.get()
    client.force_login(people["olga"])
    box = json.dumps([{"x": 10, "y": 10, "w": 40, "h": 40}])
    assert _act(client, photo, "redact", boxes=box).status_code == 302  # copy not made yet
    card_url = reverse("console:photo_card", args=[photo.uuid])
    page = client.get(reverse("console:case", args=[case.number])).content.decode()
    assert "待生成" in page and f'hx-get="{card_url}"' in page and "data-redact" not in page
    from suishoupai.photos.services import derive

    derive(photo.pk)
    card = client.get(card_url).content.decode()
    assert card.lstrip().startswith("<figure") and "已生成" in card
    assert "hx-get" not in card and f'data-redact="{photo.uuid}"' in card


def test_boxes_wait_for_a_first_public_copy(client, case, people):
    photo = case.photos.get()
    Photo.objects.filter(pk=photo.pk).update(
        status=DerivativeStatus.PENDING, public_width=None, public_height=None
    )
    before = _written()
    client.force_login(people["olga"])
    box = json.dumps([{"x": 10, "y": 10, "w": 40, "h": 40}])
    response = _act(client, photo, "redact", boxes=box)
    assert response.status_code == 409
    assert "公开版本尚未生成" in response.content.decode()  # photos.services' own message
    assert _written() == before
