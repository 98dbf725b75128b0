import csv
import io

import pytest

from audit.models import AuditEvent
from tenants.models import ApiKey, Invitation, Membership

pytestmark = pytest.mark.django_db


def test_login_page_and_sign_in_lead_to_the_dashboard(world, client):
    # An operator needs no second factor (tests/tenants/test_sign_in.py covers owners and DPOs).
    assert client.get("/o/acme/").status_code == 302
    response = client.post(
        "/accounts/login/", {"username": "operator@acme.test", "password": "a-test-password-123"}
    )
    assert response.status_code == 302
    page = client.get("/", follow=True)
    assert page.redirect_chain[-1][0] == "/o/acme/"
    assert b"Acme Security" in page.content


def test_dashboard_shows_real_figures(world, panel_as):
    page = panel_as(world.owner).get("/o/acme/").content.decode()
    assert '<span class="num">4</span><span>members</span>' in page


def test_member_is_invited_through_the_panel_form(
    world, panel_as, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = panel_as(world.owner).post(
            "/o/acme/members/", {"email": "new@acme.test", "role": "auditor"}, follow=True
        )
    assert "Invitation sent to new@acme.test" in response.content.decode()
    assert "new@acme.test" in response.content.decode()  # listed among open invitations
    assert Invitation.objects.get(email="new@acme.test").role == "auditor"
    assert not Membership.objects.filter(user__email="new@acme.test").exists()
    assert [m.to for m in mailoutbox] == [["new@acme.test"]]


def test_panel_form_shows_domain_error_and_changes_nothing(world, panel_as):
    owner = Membership.objects.get(organization=world.org, user=world.owner)
    response = panel_as(world.owner).post(
        f"/o/acme/members/{owner.pk}/role/", {"role": "dpo"}, follow=True
    )
    assert "last owner cannot be demoted" in response.content.decode()
    owner.refresh_from_db()
    assert owner.role == "owner"


def test_invalid_member_form_is_redisplayed_with_errors(world, panel_as):
    response = panel_as(world.owner).post("/o/acme/members/", {"email": "nope", "role": "x"})
    assert response.status_code == 200
    assert "Enter a valid email address." in response.content.decode()
    assert not Invitation.objects.exists()


def test_api_key_created_in_panel_is_shown_once(world, panel_as):
    client = panel_as(world.owner)
    page = client.post("/o/acme/api-keys/", {"name": "gate", "role": "operator"})
    key = ApiKey.objects.get(name="gate")
    assert f"fcp_{key.prefix}_" in page.content.decode()
    assert f"fcp_{key.prefix}_" not in client.get("/o/acme/api-keys/").content.decode()


def test_audit_log_filters_and_exports_csv_and_the_export_is_audited(
    world, panel_as, django_capture_on_commit_callbacks
):
    client = panel_as(world.dpo)
    with django_capture_on_commit_callbacks(execute=True):
        panel_as(world.owner).post("/o/acme/api-keys/", {"name": "gate", "role": "operator"})
    page = client.get("/o/acme/audit/?action=api_key").content.decode()
    assert "api_key.created" in page
    response = client.get("/o/acme/audit/export.csv?action=api_key")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:3] == ["id", "seq", "created_at"]
    assert [row[6] for row in rows[1:]] == ["api_key.created"]
    assert AuditEvent.objects.filter(action="audit.exported", actor_label="dpo@acme.test").exists()


def test_verify_button_shows_the_chain_state(world, panel_as):
    response = panel_as(world.auditor).post("/o/acme/audit/verify/", follow=True)
    assert "chain intact" in response.content.decode()


def test_panel_switches_to_chinese(world, panel_as):
    client = panel_as(world.owner)
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/o/acme/"})
    page = client.get("/o/acme/members/").content.decode()
    assert 'lang="zh-hans"' in page
    assert "成员" in page
    # The role in the header is its translated name, not the stored value.
    assert "owner@acme.test · 所有者" in page
