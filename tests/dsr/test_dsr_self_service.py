"""The person's side: file each type, follow its status, download the package by expiring link."""

import re

import pytest
from django.core import mail

from audit.actors import Actor
from audit.models import AuditEvent
from dsr.models import DataRequest
from dsr.services.completion import dsr_request_complete
from dsr.services.export import export_token
from dsr.services.workflow import dsr_request_reject
from tests.dsr.conftest import put_face_data
from tests.factories import DataRequestFactory, SubjectFactory

DPO = Actor(kind=Actor.USER, id="2", label="dpo@acme.test")


def _sign_in(client, email="ann@example.test"):
    client.post("/me/", {"email": email})
    code = re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)
    return client.post("/me/code/", {"email": email, "code": code})


# A transfer names its receiver: it has its own form (tests/dsr/test_r46_transfer.py).
@pytest.mark.parametrize("kind", [k for k, _ in DataRequest.FILE_KINDS])
def test_each_type_filed_on_the_self_service_page(dw, client, kind):
    _sign_in(client)
    response = client.post("/me/requests/", {"kind": kind, "message": ""}, follow=True)
    row = DataRequest.objects.get()
    assert (row.kind, row.channel, row.status) == (kind, "self_service", "identity_verified")
    assert "We will answer by" in response.content.decode()
    page = client.get(f"/me/requests/{row.pk}/").content.decode()
    assert "Identity verified" in page and "Answer due by" in page


def test_filed_request_is_listed_with_its_deadline(dw, client):
    _sign_in(client)
    response = client.post("/me/requests/", {"kind": "erasure", "message": "Delete me"})
    assert response.status_code == 302 and response.url == "/me/requests/"
    row = DataRequest.objects.get()
    # The self-service sign-in is the identity check, and the deadline is set on the same commit.
    assert (row.subject_pseudonym, row.message) == (dw.subject.pseudonym, "Delete me")
    assert row.identity_check == "signed in on the self-service pages"
    assert row.due_at is not None and row.due_at == row.first_due_at
    page = client.get("/me/requests/").content.decode()
    assert "Delete my data" in page and f'href="/me/requests/{row.pk}/"' in page


def test_person_reads_answer_and_rejection_letter(dw, client):
    _sign_in(client)
    client.post("/me/requests/", {"kind": "explanation"})
    client.post("/me/requests/", {"kind": "erasure"})
    explained = dsr_request_complete(
        data_request=DataRequest.objects.get(kind="explanation"), actor=DPO
    )
    rejected = dsr_request_reject(
        data_request=DataRequest.objects.get(kind="erasure"), actor=DPO, reason="Payroll law"
    )
    page = client.get(f"/me/requests/{explained.pk}/").content.decode()
    assert "Opening the office gate." in page
    page = client.get(f"/me/requests/{rejected.pk}/").content.decode()
    assert "Payroll law" in page and "court" in page


def test_access_package_readable_and_json_each_download_audited(dw, client):
    put_face_data(dw)
    _sign_in(client)
    client.post("/me/requests/", {"kind": "access"})
    row = dsr_request_complete(data_request=DataRequest.objects.get(), actor=DPO)
    page = client.get(f"/me/requests/{row.pk}/").content.decode()
    token = export_token(row)
    assert f"/me/requests/{row.pk}/package/{token}/" in page
    readable = client.get(f"/me/requests/{row.pk}/package/{token}/")
    assert readable.status_code == 200
    text = readable.content.decode()
    assert "Ann Example" in text and "HQ gate" in text and "Office gate" in text
    data = client.get(f"/me/requests/{row.pk}/package/{token}/json/")
    assert data["Content-Type"] == "application/json"
    assert data.json()["profile"]["email"] == "ann@example.test"
    downloads = AuditEvent.objects.filter(action="data_request.package_downloaded")
    assert sorted(downloads.values_list("details__format", flat=True)) == ["html", "json"]
    assert set(downloads.values_list("actor_type", flat=True)) == {"subject"}


def test_package_page_in_chinese(dw, client):
    _sign_in(client)
    client.cookies["django_language"] = "zh-hans"
    client.post("/me/requests/", {"kind": "access"})
    row = dsr_request_complete(data_request=DataRequest.objects.get(), actor=DPO)
    assert row.language == "zh-hans"
    page = client.get(f"/me/requests/{row.pk}/package/{export_token(row)}/")
    assert page.status_code == 200 and 'lang="zh-hans"' in page.content.decode().lower()


def test_expired_link_is_410_with_a_way_to_a_new_one(dw, client, time_machine):
    _sign_in(client)
    client.post("/me/requests/", {"kind": "portability"})
    row = dsr_request_complete(data_request=DataRequest.objects.get(), actor=DPO)
    old = export_token(row)
    time_machine.move_to(row.export_expires_at)
    _sign_in(client)  # the self-service session itself is short-lived too
    expired = client.get(f"/me/requests/{row.pk}/package/{old}/json/")
    assert expired.status_code == 410
    assert "This download link has expired" in expired.content.decode()
    assert not AuditEvent.objects.filter(action="data_request.package_downloaded").exists()
    client.post(f"/me/requests/{row.pk}/new-link/")
    row.refresh_from_db()
    assert client.get(f"/me/requests/{row.pk}/package/{export_token(row)}/json/").status_code == 200
    row.refresh_from_db()
    assert row.status == "completed"  # nothing lost


def test_another_persons_request_is_404(dw, client):
    stranger = SubjectFactory(organization=dw.org, email="bob@example.test")
    theirs = DataRequestFactory(subject=stranger, status="completed", export_nonce="abc")
    _sign_in(client)
    assert client.get(f"/me/requests/{theirs.pk}/").status_code == 404
    token = export_token(theirs)
    assert client.get(f"/me/requests/{theirs.pk}/package/{token}/json/").status_code == 404
    assert client.post(f"/me/requests/{theirs.pk}/new-link/").status_code == 404


def test_pages_need_a_sign_in(dw, client):
    row = DataRequestFactory(subject=dw.subject)
    response = client.get(f"/me/requests/{row.pk}/")
    assert response.status_code == 302 and response["Location"].endswith("/me/")
