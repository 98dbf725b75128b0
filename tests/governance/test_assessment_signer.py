"""An assessment signed off with an API key names the key and the member behind it (issue 18).

A key acts through its own service user, which has no e-mail: the record showed
``signed_off_by: ""``. It now names the key (name and prefix, as listed in api-keys) and the
member who created it, in the API and in the filing pack.
"""

import pytest
from rest_framework.test import APIClient

from governance.filing_pack import _assessments
from tests.governance.conftest import make_ready
from tests.governance.test_assessments import SECTIONS

pytestmark = pytest.mark.django_db


def test_sign_off_by_an_api_key_records_the_key_and_its_member(world, api_as):
    owner = api_as(world.owner)
    created = owner.post(
        "/api/v1/api-keys/", {"name": "Compliance bot", "role": "dpo"}, format="json"
    )
    assert created.status_code == 201, created.json()
    key = created.json()
    bot = APIClient()
    bot.credentials(HTTP_AUTHORIZATION=f"Bearer {key['key']}")

    deployment = make_ready(world.org)
    deployment.assessments.all().delete()
    draft = owner.post(
        "/api/v1/assessments/",
        {"deployment": deployment.pk, "title": "PIA", **SECTIONS},
        format="json",
    ).json()
    signed = bot.post(f"/api/v1/assessments/{draft['id']}/sign-off/")
    assert signed.status_code == 200, signed.json()
    body = signed.json()
    assert body["signed_off_by"] == (
        f"API key Compliance bot ({key['prefix']}) for {world.owner.email}"
    )
    assert body["signed_off_by_api_key"] == {
        "name": "Compliance bot",
        "prefix": key["prefix"],
        "created_by": world.owner.email,
    }
    listed = owner.get("/api/v1/assessments/", {"status": "approved"}).json()["results"]
    assert [a["signed_off_by"] for a in listed] == [body["signed_off_by"]]
    [packed] = [a for a in _assessments(world.org) if a["id"] == draft["id"]]
    assert packed["signed_off_by"] == body["signed_off_by"]


def test_sign_off_by_a_person_still_shows_their_email_and_no_key(world, api_as):
    deployment = make_ready(world.org)
    deployment.assessments.all().delete()
    draft = (
        api_as(world.owner)
        .post(
            "/api/v1/assessments/",
            {"deployment": deployment.pk, "title": "PIA", **SECTIONS},
            format="json",
        )
        .json()
    )
    body = api_as(world.dpo).post(f"/api/v1/assessments/{draft['id']}/sign-off/").json()
    assert body["signed_off_by"] == world.dpo.email and body["signed_off_by_api_key"] is None
