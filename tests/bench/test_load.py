"""bench/load.py's world is one the product accepts: the gate's key hears both answers to the
consent check, and its camera's job is accepted.

Only the seeding runs here (seconds). The load run itself starts gunicorn, a worker and Locust:
it is a benchmark, measured by the script and recorded in docs/reliability.md, not timed here.
"""

import importlib.util
import random
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from consent.models import Consent

pytestmark = pytest.mark.django_db

_spec = importlib.util.spec_from_file_location(
    "bench_load", Path(__file__).resolve().parents[2] / "bench" / "load.py"
)
load = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(load)


@pytest.fixture
def seeded(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    # Seed 1: five subjects consent, the fifth then withdraws, and the sixth never consents.
    return load.seed(subjects=6, rng=random.Random(1))


def test_seeded_gate_key_hears_yes_and_no(seeded):
    assert (seeded["consented"], seeded["withdrawn"]) == (5, 1)
    assert Consent.objects.filter(organization_id=seeded["organization_id"]).count() == 5
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {seeded['key']}")
    answers = []
    for pseudonym in seeded["pseudonyms"]:
        response = client.get(
            reverse("api:consent-check"),
            {
                "deployment": seeded["deployment"],
                "purpose": seeded["purpose"],
                "subject": pseudonym,
            },
        )
        assert response.status_code == 200, response.content
        answers.append(response.json()["usable"])
    assert answers == [True, True, True, True, False, False]


def test_seeded_camera_job_is_accepted(seeded, faces):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {seeded['key']}")
    photo = load.PHOTOS[0]
    response = client.post(
        reverse("api:recognition-job-list"),
        {
            "deployment": seeded["deployment"],
            "purpose": seeded["purpose"],
            "mode": "identify",
            "images": [SimpleUploadedFile(photo, faces.read(photo), "image/jpeg")],
        },
        format="multipart",
    )
    assert response.status_code == 202, response.content


def test_clients_split_gives_the_gate_and_bare_the_same_number():
    assert load.split(50) == {"consent-check": 15, "bare": 15, "floor": 10, "job-submit": 10}
    assert sum(load.split(7).values()) == 7
