"""The panel's CompreFace-compatible keys page (issue 18): bound keys made by the owner."""

import pytest

from recognition.models import CompreFaceBinding
from tenants.models import ApiKey
from tests.factories import PurposeFactory
from tests.recognition.conftest import make_rec_world

pytestmark = pytest.mark.django_db

URL = "/o/acme/api-keys/compreface/"


def test_owner_makes_a_bound_key_and_sees_its_secret_once(world, panel_as):
    rec = make_rec_world(world)
    owner = panel_as(world.owner)
    page = owner.post(
        URL, {"name": "Gate", "deployment": rec.deployment.pk, "purpose": rec.purpose.pk}
    )
    assert page.status_code == 200
    binding = CompreFaceBinding.objects.get()
    assert binding.api_key.scope == ApiKey.Scope.COMPREFACE
    assert page.context["created_secret"].startswith("fcp_")
    assert b"Gate" in owner.get(URL).content
    assert page.context["created_secret"].encode() not in owner.get(URL).content
    assert "CompreFace-compatible API" in owner.get("/o/acme/api-keys/").content.decode()


def test_r2_the_purpose_must_be_declared_for_the_deployment(world, panel_as):
    rec = make_rec_world(world)
    stray = PurposeFactory(organization=world.org, name="Canteen")
    page = panel_as(world.owner).post(
        URL, {"name": "Gate", "deployment": rec.deployment.pk, "purpose": stray.pk}
    )
    assert page.status_code == 200 and page.context["form"].errors
    assert not CompreFaceBinding.objects.exists()


def test_another_organizations_deployment_cannot_be_chosen(world, panel_as):
    make_rec_world(world)
    theirs = make_rec_world(world, org=world.outsider_org)
    page = panel_as(world.owner).post(
        URL, {"name": "x", "deployment": theirs.deployment.pk, "purpose": theirs.purpose.pk}
    )
    assert "deployment" in page.context["form"].errors
    assert not CompreFaceBinding.objects.exists()
