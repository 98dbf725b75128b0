"""R19: every receipt and notice states where the face data really is, whatever was granted."""

import json
import re

import pytest
from django.core import mail

from governance.models import Deployment
from tests.factories import SubjectFactory

pytestmark = pytest.mark.django_db

CENTRAL = "the organization's central servers (for HQ gate)"


def _central(cw) -> None:
    Deployment.objects.filter(pk=cw.deployment.pk).update(
        storage_mode="central", central_storage_reason="Forty gates share one gallery."
    )
    cw.deployment.refresh_from_db()


def _processing(receipt) -> dict:
    return json.loads(receipt.body)["iso27560"]["processing"]


def test_r19_receipt_says_the_device_only_when_every_site_keeps_templates_there(cw):
    # Unscoped, the grant is allowed (a site may store centrally later); today none does.
    _consent, receipt = cw.grant(central_storage=True)
    body = json.loads(receipt.body)
    assert _processing(receipt)["storageLocations"] == ["on the recognition device"]
    assert body["extensions"]["items"]["centralStorage"] is True  # what was granted
    assert body["extensions"]["storage"] == {
        "locations": ["on the recognition device"],
        "centralStorage": False,
        "centralDeployments": [],
    }


def test_r19_receipt_of_a_central_deployment_names_the_servers_and_the_reason(cw):
    _central(cw)
    _consent, receipt = cw.grant(deployment=cw.deployment, central_storage=True)
    storage = json.loads(receipt.body)["extensions"]["storage"]
    assert storage["locations"] == ["on the recognition device", CENTRAL]
    assert storage["centralDeployments"] == [
        {
            "deploymentId": cw.deployment.pk,
            "name": "HQ gate",
            "reason": "Forty gates share one gallery.",
        }
    ]


def test_r19_receipt_without_central_grant_keeps_the_data_on_the_device(cw):
    _central(cw)
    _consent, receipt = cw.grant(deployment=cw.deployment, central_storage=False)
    assert _processing(receipt)["storageLocations"] == ["on the recognition device"]


def test_r19_receipt_without_a_deployment_follows_the_purposes_deployments(cw):
    _consent, receipt = cw.grant(central_storage=True)
    assert _processing(receipt)["storageLocations"] == ["on the recognition device"]
    _central(cw)
    other = SubjectFactory(organization=cw.org)
    _consent, receipt = cw.grant(other, central_storage=True)
    assert _processing(receipt)["storageLocations"] == ["on the recognition device", CENTRAL]


def test_r19_printed_receipt_states_where_the_data_is(cw, client):
    _consent, receipt = cw.grant(central_storage=True)
    client.post("/me/", {"email": "ann@example.test"})
    code = re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)
    client.post("/me/code/", {"email": "ann@example.test", "code": code})
    page = client.get(f"/me/receipts/{receipt.receipt_id}/").content.decode()
    assert "Where your face data is kept" in page
    assert "on the recognition device" in page and "central servers" not in page


def test_r19_notice_of_an_on_device_site_says_the_device_only_and_asks_nothing(cw, client):
    page = client.get(f"/notice/acme/p/{cw.purpose.pk}/?d={cw.deployment.pk}").content.decode()
    assert "Only on the recognition device" in page
    assert "i-central_storage" not in page
    landing = client.get(f"/notice/acme/d/{cw.deployment.pk}/").content.decode()
    assert "Face templates stay on the recognition device here" in landing


def test_r19_notice_of_a_central_site_states_the_servers_and_the_reason(cw, client):
    _central(cw)
    page = client.get(f"/notice/acme/p/{cw.purpose.pk}/?d={cw.deployment.pk}").content.decode()
    assert "On our central servers" in page and "Forty gates share one gallery." in page
    assert "i-central_storage" in page
    landing = client.get(f"/notice/acme/d/{cw.deployment.pk}/").content.decode()
    assert "stored on the organization's central servers" in landing


def test_r19_notice_without_a_site_lists_the_sites_storing_centrally(cw, client):
    page = client.get(f"/notice/acme/p/{cw.purpose.pk}/").content.decode()
    assert "no site stores templates for this purpose on our servers" in page
    _central(cw)
    page = client.get(f"/notice/acme/p/{cw.purpose.pk}/").content.decode()
    assert "HQ gate: Forty gates share one gallery." in page
