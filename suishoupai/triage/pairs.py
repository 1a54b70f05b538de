"""Generated duplicate pairs for measuring duplicate scoring (scripts/triage_duplicates.py
and tests/test_duplicates.py).

Built at run time from the shared reference photos (never copied into the repository): each
photo is one scene, reported once as an open case; later reports of the same scene come
with a perturbed photo (crop, rotation, recompression, rescale, exposure), a paraphrased
description and a jittered position. Hard negatives stand at the same place: another
problem on the same street (other category, other photo) and another problem of the same
kind a few dozen metres away (same category, a different photo of that kind); and reports
of a new problem at a place that has other open cases, whose right answer is "no duplicate".
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageEnhance

# (street, original description, two paraphrases a later reporter might write)
POTHOLE_SCENES = [
    (
        "靖宇街",
        "靖宇街路中间有个大坑，车过去颠得厉害",
        "靖宇街马路当中一个深坑，开车得绕着走",
        "靖宇街上那个坑还在，车一过就咣当一下",
    ),
    (
        "红旗大街",
        "红旗大街辅路路面坑坑洼洼，积满了雨水",
        "红旗大街辅路上好几个水坑，路面都烂了",
        "红旗大街辅道路面破损，一下雨全是坑",
    ),
    (
        "学府路",
        "学府路公交站前路面破了个洞",
        "学府路车站前面柏油路有个窟窿",
        "学府路站台边上马路破了一个坑，公交车进站颠",
    ),
    (
        "中山路",
        "中山路右转车道有个深坑，差点把轮胎硌坏",
        "中山路右转道的坑太深了，轮胎都要压爆",
        "中山路转弯处路面一个大坑，车都在躲",
    ),
    (
        "西大直街",
        "西大直街路面坑槽，电动车骑过去很危险",
        "西大直街路上有坑，骑电动车差点摔了",
        "西大直街这段路面坑洼，骑车的人都得下来推",
    ),
    (
        "友谊路",
        "友谊路非机动车道上一排坑",
        "友谊路自行车道全是坑",
        "友谊路非机动车道坑坑洼洼没法骑",
    ),
    ("哈平路", "哈平路路口路面破损成坑", "哈平路交叉口马路上有坑", "哈平路路口的路烂了，一个大坑"),
    (
        "东直路",
        "东直路路边车道塌了个坑",
        "东直路靠边车道路面陷下去一个坑",
        "东直路边上的车道有坑，晚上看不清",
    ),
]
GARBAGE_SCENES = [
    (
        "华山路",
        "华山路胡同口堆了一大堆生活垃圾",
        "华山路胡同口的垃圾堆得像小山，臭死了",
        "华山路那个巷口垃圾成堆，好几天没人管",
    ),
    (
        "果戈里大街",
        "果戈里大街路边有人乱扔垃圾袋",
        "果戈里大街人行道边上全是垃圾袋",
        "果戈里大街路边垃圾袋扔了一地",
    ),
    (
        "建设街",
        "建设街公交站旁边地上垃圾很多",
        "建设街车站边上满地垃圾",
        "建设街站台旁边垃圾散了一地，没人扫",
    ),
    (
        "安隆街",
        "安隆街小广场角落垃圾成堆",
        "安隆街广场那个角上垃圾堆着",
        "安隆街小广场边上一堆垃圾，苍蝇乱飞",
    ),
    (
        "和兴路",
        "和兴路早市散了满地垃圾",
        "和兴路早市收摊后垃圾扔得到处都是",
        "和兴路菜市场散场后地上全是烂菜叶和垃圾",
    ),
    (
        "珠江路",
        "珠江路路边绿化带旁堆着垃圾",
        "珠江路绿化带边上有一堆垃圾",
        "珠江路花坛旁边被人倒了垃圾",
    ),
    (
        "河松街",
        "河松街楼后空地有人倒垃圾",
        "河松街楼后面的空地成了垃圾场",
        "河松街后院空地垃圾越堆越多",
    ),
    (
        "新阳路",
        "新阳路人行道上有一堆废弃物",
        "新阳路便道上堆着一堆杂物垃圾",
        "新阳路人行道被一堆垃圾挡住了",
    ),
]
# Another problem on the same street: (category, description template).
OTHER_PROBLEMS = [
    ("manhole_cover", "{street}人行道上的井盖没了"),
    ("tree_care", "{street}路边树枝挡住了路灯"),
    ("public_toilet", "{street}附近的公厕很脏"),
    ("commercial_noise", "{street}一家店门口大喇叭太吵"),
]
# Another problem of the same kind on the same street, a few dozen metres on.
SAME_KIND = {
    "road_damage": "{street}另一头人行道边也有个坑",
    "sanitation": "{street}另一边路口也有人扔了垃圾",
}
PERTURBATIONS = ("crop", "rotate", "recompress", "rescale", "exposure")


@dataclass(frozen=True)
class Scene:
    photo: Path
    category: str
    street: str
    description: str
    paraphrases: tuple[str, str]


def scenes(photo_dir: Path) -> list[Scene]:
    found = []
    for kind, category, table in (
        ("pothole", "road_damage", POTHOLE_SCENES),
        ("street_garbage", "sanitation", GARBAGE_SCENES),
    ):
        for i, (street, original, p1, p2) in enumerate(table, 1):
            path = photo_dir / f"{kind}_{i}.jpg"
            if path.exists():
                found.append(Scene(path, category, street, original, (p1, p2)))
    return found


def perturb(data: bytes, how: str, rng: random.Random) -> bytes:
    """A later reporter's photo of the same scene."""
    image = Image.open(io.BytesIO(data)).convert("RGB")
    w, h = image.size
    if how == "crop":
        keep = rng.uniform(0.75, 0.9)
        left, top = rng.uniform(0, 1 - keep) * w, rng.uniform(0, 1 - keep) * h
        image = image.crop((int(left), int(top), int(left + keep * w), int(top + keep * h)))
    elif how == "rotate":
        angle = rng.choice((-1, 1)) * rng.uniform(3, 8)
        image = image.rotate(angle, resample=Image.Resampling.BILINEAR, expand=False)
        image = image.crop((int(0.08 * w), int(0.08 * h), int(0.92 * w), int(0.92 * h)))
    elif how == "rescale":
        image = image.resize((max(1, w // 3), max(1, h // 3)), Image.Resampling.BILINEAR)
    elif how == "exposure":
        image = ImageEnhance.Brightness(image).enhance(rng.uniform(0.7, 1.3))
        image = ImageEnhance.Contrast(image).enhance(rng.uniform(0.8, 1.2))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=35 if how == "recompress" else 85)
    return out.getvalue()
