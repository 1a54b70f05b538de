"""The public copies: made after commit, upright, stripped, blurred where people
or plates are, retried when they fail, and never silently lost."""

import io
import threading
from datetime import timedelta

import numpy as np
import pytest
from django.core.files.storage import FileSystemStorage
from django.utils import timezone
from PIL import Image

from suishoupai.photos import imaging, services
from suishoupai.photos.models import DerivativeStatus, Photo

from . import corpus
from .conftest import SHARED_PHOTOS

pytestmark = pytest.mark.django_db


def opened(field) -> Image.Image:
    with field.open("rb") as handle:
        return Image.open(io.BytesIO(handle.read()))


def webp_chunks(data: bytes) -> list[bytes]:
    chunks, pos = [], 12
    while pos + 8 <= len(data):
        size = int.from_bytes(data[pos + 4 : pos + 8], "little")
        chunks.append(data[pos : pos + 4])
        pos += 8 + size + (size & 1)
    return chunks


def test_it_makes_an_upright_stripped_webp_copy_and_a_thumbnail_after_commit(report):
    # Landscape pixels, EXIF says "turn 90° clockwise": the copy must be portrait, red on top.
    data = corpus.jpeg(image=corpus.split_colours((2400, 1200)), orientation=6, gps=True)
    _created, case = report(data)
    photo = case.photos.get()
    assert photo.status == DerivativeStatus.READY and photo.attempts == 1
    copy = opened(photo.public_file)
    assert copy.format == "WEBP" and copy.size == (800, 1600)
    assert (photo.public_width, photo.public_height) == (800, 1600)
    assert (photo.width, photo.height) == (1200, 2400)  # the original's size, upright
    assert copy.getpixel((400, 200))[0] > 200 and copy.getpixel((400, 1400))[2] > 200
    with photo.public_file.open("rb") as handle:
        raw = handle.read()
    assert set(webp_chunks(raw)) <= {b"VP8 ", b"VP8L", b"VP8X", b"ALPH"}
    assert corpus.CAMERA_MAKE.encode() not in raw and not copy.getexif()
    thumb = opened(photo.thumb_file)
    assert thumb.format == "WEBP" and max(thumb.size) == imaging.THUMB_LONG_SIDE
    assert len(photo.phash) == 16 and int(photo.phash, 16) >= 0
    # The original is kept exactly as sent, EXIF and all.
    with photo.original.open("rb") as handle:
        assert handle.read() == data


def test_it_turns_a_heic_the_right_way_once(report):
    # pillow-heif applies HEIF's own rotation and resets EXIF's to 1: no double turn.
    data = corpus.heic(image=corpus.split_colours((80, 40)), orientation=6)
    _created, case = report(data)
    photo = case.photos.get()
    copy = opened(photo.public_file).convert("RGB")
    assert copy.size == (40, 80)
    red_top, blue_bottom = copy.getpixel((20, 10)), copy.getpixel((20, 70))
    assert red_top[0] > 200 and red_top[2] < 60
    assert blue_bottom[2] > 200 and blue_bottom[0] < 60


def _diff(a: Image.Image, b: Image.Image) -> np.ndarray:
    return np.abs(np.asarray(a, dtype=np.int16) - np.asarray(b, dtype=np.int16)).mean(axis=2)


def test_it_blurs_a_face_and_barely_touches_the_rest(report):
    scene = corpus.street_with_face()
    data = corpus.jpeg(image=scene)
    _created, case = report(data)
    photo = case.photos.get()
    faces = [r for r in photo.regions if r["kind"] == "face"]
    assert len(faces) == 1, photo.regions
    face = faces[0]
    # The drawn face: skin (808, 255)-(892, 360), brows at y 280, mouth at y 327-331.
    assert face["x"] <= 815 and face["x"] + face["w"] >= 885
    assert face["y"] <= 280 and face["y"] + face["h"] >= 335
    copy = opened(photo.public_file).convert("RGB")
    diff = _diff(copy, scene)
    outside = diff.copy()
    outside[face["y"] : face["y"] + face["h"], face["x"] : face["x"] + face["w"]] = np.nan
    assert diff[255:360, 808:892].mean() > 20  # the face itself changed a lot
    assert np.nanmean(outside) < 3  # the rest only by WebP's own rounding
    # The eyes (near black, at y 270-285) are gone: nothing that dark is left there.
    eyes = np.asarray(copy.convert("L"))[270:285, 823:877]
    assert eyes.min() > 90


@pytest.mark.parametrize(
    "colours", [corpus.BLUE_PLATE, corpus.YELLOW_PLATE], ids=["blue", "yellow"]
)
def test_it_blurs_chinese_plates_light_on_dark_and_dark_on_light(colours):
    scene = corpus.street_with_plate(*colours)
    rendered = imaging.render(corpus.jpeg(image=scene))
    plates = [r for r in rendered.regions if r.kind == "plate"]
    assert len(plates) == 1, rendered.regions
    box = plates[0]
    # The plate is (500, 700)-(900, 827); the box covers its characters.
    assert box.x <= 520 and box.x + box.w >= 880 and box.y <= 715 and box.y + box.h >= 810
    copy = np.asarray(Image.open(io.BytesIO(rendered.public)).convert("L"), dtype=np.int16)
    original = np.asarray(scene.convert("L"), dtype=np.int16)
    characters = np.abs(copy - original)[720:810, 530:870]
    assert characters.mean() > 20


def test_it_finds_no_face_in_the_real_street_photos_and_blurs_the_plate():
    if not SHARED_PHOTOS.exists():
        pytest.skip(f"shared test photos not found at {SHARED_PHOTOS}")
    found = {p.stem: imaging.render(p.read_bytes()).regions for p in SHARED_PHOTOS.glob("*.jpg")}
    assert not [name for name, regions in found.items() if any(r.kind == "face" for r in regions)]
    assert [r.kind for r in found["street_garbage_5"]] == ["plate"]
    # The Dutch plate on the Fiat's bumper, left edge, a third of the way down.
    plate = found["street_garbage_5"][0]
    assert plate.x < 100 and 450 < plate.y < 700 and plate.w > 150


def test_making_the_copies_again_changes_nothing(report):
    _created, case = report(corpus.jpeg())
    photo = case.photos.get()
    before = (photo.public_file.name, photo.thumb_file.name, photo.attempts)
    again = services.derive(photo.pk)
    assert (again.public_file.name, again.thumb_file.name, again.attempts) == before


def test_a_failed_copy_is_recorded_shown_to_staff_and_retried(
    report, monkeypatch, olga, staff_client, django_capture_on_commit_callbacks
):
    real_save = FileSystemStorage._save

    def copies_fail(self, name, content):
        if name.startswith("public/"):
            raise OSError("disk full")
        return real_save(self, name, content)

    monkeypatch.setattr(FileSystemStorage, "_save", copies_fail)
    _created, case = report(corpus.jpeg())
    photo = case.photos.get()
    assert photo.status == DerivativeStatus.FAILED
    assert photo.attempts == 1 and "disk full" in photo.error
    assert not photo.public_file.name
    # The reporter sees a placeholder; staff see the failure and why.
    private = staff_client(olga).get(f"/api/v1/staff/cases/{case.number}").json()
    assert private["photos"][0]["status"] == "failed"
    assert "disk full" in private["photos"][0]["error"]

    monkeypatch.setattr(FileSystemStorage, "_save", real_save)
    later = timezone.now() + timedelta(minutes=11)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.requeue(now=later) == [photo.pk]
    photo.refresh_from_db()
    assert photo.status == DerivativeStatus.READY and photo.attempts == 2 and photo.error == ""


def test_it_leaves_no_copy_behind_when_storing_one_fails(report, monkeypatch, media):
    real_save = FileSystemStorage._save

    def thumbnails_fail(self, name, content):
        if name.endswith("-thumb.webp"):
            raise OSError("disk full")
        return real_save(self, name, content)

    monkeypatch.setattr(FileSystemStorage, "_save", thumbnails_fail)
    _created, case = report(corpus.jpeg())
    assert case.photos.get().status == DerivativeStatus.FAILED
    assert not list((media / "public").rglob("*.webp"))


def test_it_requeues_lost_and_failed_copies_but_gives_up_after_the_limit(city, settings, report):
    _created, case = report(corpus.jpeg(), corpus.jpeg(), corpus.jpeg())
    lost, failed, exhausted = case.photos.order_by("pk")
    now = timezone.now()
    old = now - timedelta(minutes=settings.PHOTO_DERIVE_STUCK_MINUTES + 1)
    Photo.objects.filter(pk=lost.pk).update(status=DerivativeStatus.PENDING, queued_at=old)
    Photo.objects.filter(pk=failed.pk).update(status=DerivativeStatus.FAILED, queued_at=old)
    Photo.objects.filter(pk=exhausted.pk).update(
        status=DerivativeStatus.FAILED, queued_at=old, attempts=settings.PHOTO_DERIVE_MAX_ATTEMPTS
    )
    assert services.requeue(now=now) == [lost.pk, failed.pk]
    # Just queued again: not queued twice by the next run.
    assert services.requeue(now=now + timedelta(minutes=1)) == []


@pytest.mark.parametrize(
    ("size", "fmt"),
    [((2592, 1936), "JPEG"), ((3264, 2448), "JPEG"), ((5000, 3100), "PNG"), ((4032, 3024), "PNG")],
)
def test_the_fast_downscale_looks_like_a_careful_one(size, fmt):
    # A textured photo: the fast path (draft / reduce, then bilinear) must stay as
    # close to a Lanczos resize of the full picture as an area average is.
    rng = np.random.default_rng(7)
    noise = rng.integers(0, 255, (size[1] // 16, size[0] // 16, 3), dtype=np.uint8)
    picture = Image.fromarray(noise).resize(size, Image.Resampling.BICUBIC)
    buffer = io.BytesIO()
    picture.save(buffer, fmt, **({"quality": 95} if fmt == "JPEG" else {}))
    rendered = imaging.render(buffer.getvalue())
    assert max(rendered.width, rendered.height) == imaging.PUBLIC_LONG_SIDE
    copy = np.asarray(Image.open(io.BytesIO(rendered.public)), dtype=np.int16)
    careful = picture.resize((rendered.width, rendered.height), Image.Resampling.LANCZOS)
    target = np.asarray(careful, dtype=np.int16)
    # WebP itself loses detail on such a texture; the downscale may add little to that.
    webp_loss = np.abs(np.asarray(Image.open(io.BytesIO(imaging._webp(careful)))) - target).mean()
    assert np.abs(copy - target).mean() < webp_loss * 1.25


@pytest.mark.parametrize("orientation", [1, 2, 3, 4, 5, 6, 7, 8])
@pytest.mark.parametrize("size", [(120, 60), (3400, 1700)])  # decoded at full and half scale
def test_the_fast_jpeg_decoder_turns_every_orientation_as_pillow_does(orientation, size):
    # OpenCV decodes JPEGs (scaled, EXIF orientation applied by itself); Pillow's
    # exif_transpose is the reference every other format goes through.
    picture = corpus.split_colours(size)
    picture.paste((0, 200, 0), (0, 0, size[0] // 6, size[0] // 6))  # shows mirroring too
    data = corpus.jpeg(image=picture, orientation=orientation)
    fast = imaging.decode_upright(data).astype(np.int16)
    upright = imaging.open_upright(data)
    target = imaging._fit(upright.size, imaging.PUBLIC_LONG_SIDE)
    if target != upright.size:
        upright = imaging._shrink(upright, target)
    reference = np.asarray(upright, dtype=np.int16)
    assert fast.shape == reference.shape
    assert np.abs(fast - reference).mean() < 1.0


@pytest.mark.parametrize("mode", ["L", "CMYK"])
def test_grey_and_cmyk_jpegs_come_out_as_rgb_of_the_same_picture(mode):
    picture = corpus.split_colours((80, 40))
    data = corpus.encode(picture.convert(mode), "JPEG", quality=95)
    pixels = imaging.decode_upright(data)
    reference = np.asarray(imaging.open_upright(data), dtype=np.int16)
    assert pixels.shape == (40, 80, 3)
    assert np.abs(pixels.astype(np.int16) - reference).mean() < 1.0
    rendered = imaging.render(data)
    assert (rendered.width, rendered.height) == (80, 40)


def test_a_consumer_starting_after_a_crash_requeues_the_copies_it_lost_at_once(
    city, report, monkeypatch
):
    from suishoupai.photos import tasks

    _created, case = report(corpus.jpeg())
    photo = case.photos.get()
    # Its worker died mid-copy a moment ago: pending, queued seconds before the restart.
    just_now = timezone.now() - timedelta(seconds=5)
    Photo.objects.filter(pk=photo.pk).update(status=DerivativeStatus.PENDING, queued_at=just_now)
    queued = []
    monkeypatch.setattr(services, "_enqueue_on_commit", queued.append)
    monkeypatch.setattr(tasks, "_started", threading.Lock())
    tasks.requeue_after_a_restart()
    tasks.requeue_after_a_restart()  # the consumer's second worker thread: once is enough
    assert queued == [photo.pk]
