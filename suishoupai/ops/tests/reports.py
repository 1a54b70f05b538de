"""Cases with photos made through the real API, for the operations tests."""

import io

from django.test import Client

from suishoupai.cases.models import Case
from suishoupai.factories import DAOWAI
from suishoupai.photos.tests.corpus import jpeg


def report(*, photos: int = 1, description: str = "靖宇街路边堆放大量生活垃圾") -> Case:
    lat, lng = DAOWAI
    files = []
    for i in range(photos):
        handle = io.BytesIO(jpeg(size=(320 + 16 * i, 240)))
        handle.name = f"photo{i}.jpg"
        files.append(handle)
    response = Client().post(
        "/api/v1/cases",
        {
            "category": "sanitation",
            "description": description,
            "lat": lat,
            "lng": lng,
            "address": "道外区靖宇街与南十四道街交口",
            "phone": "13800000000",
            "photos": files,
        },
    )
    assert response.status_code == 201, response.content
    return Case.objects.get(number=response.json()["number"])
