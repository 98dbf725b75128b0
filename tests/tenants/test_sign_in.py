"""Staff sign-in under attack (issue 15): throttling with a cool-off, a second factor required
of owners and DPOs and per organization, every step audited, sessions that end."""

from datetime import timedelta
from urllib.parse import urlencode

import pytest
import time_machine
from django.contrib.auth.hashers import make_password
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import AuditEvent
from tests.factories import PASSWORD
from tests.tenants.conftest import totp_now

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
SETUP = "/accounts/second-factor/setup/"
VERIFY = "/accounts/second-factor/verify/"


def _actions(org, action):
    return list(
        AuditEvent.objects.filter(organization=org, action=action)
        .order_by("pk")
        .values_list("details", flat=True)
    )


def _sign_in(client, username, password=PASSWORD, ip="198.51.100.7", **extra):
    return client.post(LOGIN, {"username": username, "password": password, **extra}, REMOTE_ADDR=ip)


@pytest.fixture
def limit_three(settings):
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_COOLOFF_TIME = 0.25  # 15 minutes


# --- Throttling -----------------------------------------------------------------------------


def test_wrong_passwords_lock_the_account_with_a_clear_message_and_are_audited(world, limit_three):
    client = Client()
    for _ in range(2):
        refused = _sign_in(client, "operator@acme.test", "wrong-password")
        assert refused.status_code == 200
        assert "Please enter a correct" in refused.content.decode()
    locked = _sign_in(client, "operator@acme.test", "wrong-password")
    assert locked.status_code == 429
    page = locked.content.decode()
    assert "Too many failed sign-ins" in page and "Try again in 15 minutes" in page
    # Even the right password waits for the cool-off.
    assert _sign_in(client, "operator@acme.test").status_code == 429

    assert [d["reason"] for d in _actions(world.org, "account.sign_in_failed")] == [
        "wrong_password",
        "wrong_password",
        "wrong_password",
        "locked_out",
    ]
    assert _actions(world.org, "account.locked") == [
        {"user_id": world.operator.pk, "cooloff_seconds": 900}
    ]
    event = AuditEvent.objects.filter(action="account.locked").get()
    assert event.ip == "198.51.100.7"


def test_the_account_is_locked_from_every_address_but_only_for_the_cool_off(world, limit_three):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for n in range(3):
            _sign_in(Client(), "operator@acme.test", "wrong-password", ip=f"203.0.113.{n}")
        assert _sign_in(Client(), "operator@acme.test", ip="192.0.2.99").status_code == 429
    # An attacker who keeps trying during the lock does not extend it.
    with time_machine.travel(start + timedelta(minutes=14), tick=False):
        for _ in range(5):
            _sign_in(Client(), "operator@acme.test", "wrong-password", ip="203.0.113.1")
    with time_machine.travel(start + timedelta(minutes=16), tick=False):
        person = Client()
        assert _sign_in(person, "operator@acme.test", ip="192.0.2.99").status_code == 302
        assert person.get("/o/acme/").status_code == 200


def test_one_address_trying_many_accounts_is_locked(world, limit_three):
    for name in ("a@x.test", "b@x.test", "c@x.test"):
        _sign_in(Client(), name, "wrong-password", ip="203.0.113.50")
    locked = _sign_in(Client(), "operator@acme.test", ip="203.0.113.50")
    assert locked.status_code == 429
    # The same account from another address is not locked by that.
    assert _sign_in(Client(), "operator@acme.test", ip="192.0.2.1").status_code == 302


def test_api_keys_are_not_throttled_or_asked_for_a_second_factor(world, api_key_client):
    client = api_key_client(world.org, "owner")
    assert client.get("/api/v1/organization/").status_code == 200


# --- The second factor ----------------------------------------------------------------------


@pytest.mark.parametrize("role", ["owner", "dpo"])
def test_owner_and_dpo_without_a_second_factor_are_sent_to_set_one_up(world, role):
    client = Client()
    signed_in = _sign_in(client, f"{role}@acme.test")
    assert signed_in.url == f"{SETUP}?{urlencode({'next': '/'})}"
    # Nothing else is reachable until then: not the panel, not the API through the session.
    assert client.get("/o/acme/").url.startswith(SETUP)
    api = client.get("/api/v1/organization/", HTTP_X_ORGANIZATION="acme")
    assert api.status_code == 403
    assert api.json()["code"] == "second_factor_required"
    (event,) = _actions(world.org, "account.signed_in")
    assert event["second_factor"] == "setup_required"


def test_setting_up_shows_the_secret_once_and_gives_recovery_codes_once(
    world, set_up_second_factor
):
    client = Client()
    _sign_in(client, "owner@acme.test")
    first = client.get(SETUP).content.decode()
    second = client.get(SETUP).content.decode()
    secrets_shown = [
        page.split('<code class="secret">')[1].split("</code>")[0] for page in (first, second)
    ]
    assert secrets_shown[0] != secrets_shown[1]  # a reload makes a new secret
    assert "<svg" in first
    assert TOTPDevice.objects.filter(user=world.owner).count() == 1  # the stale one is gone

    done, codes = set_up_second_factor(client, world.owner, "/o/acme/")
    assert len(codes) == 10 and all(code in done.content.decode() for code in codes)
    assert client.get("/o/acme/").status_code == 200  # this session gave the factor
    (enrolled,) = _actions(world.org, "account.second_factor_enrolled")
    assert enrolled["method"] == "totp"


def test_setup_with_a_wrong_code_confirms_nothing(world):
    client = Client()
    _sign_in(client, "owner@acme.test")
    shown = client.get(SETUP).content.decode()
    refused = client.post(SETUP, {"code": "000000"})
    assert refused.status_code == 400
    assert "That code is not right" in refused.content.decode()
    # The same secret again, so the app that scanned it can try once more.
    secret = shown.split('<code class="secret">')[1].split("</code>")[0]
    assert f'<code class="secret">{secret}</code>' in refused.content.decode()
    assert not TOTPDevice.objects.filter(user=world.owner, confirmed=True).exists()
    assert client.get("/o/acme/").url.startswith(SETUP)


@pytest.fixture
def owner_device(world):
    return TOTPDevice.objects.create(user=world.owner, name="phone", confirmed=True)


def test_sign_in_asks_for_the_code_after_the_password(world, owner_device):
    client = Client()
    signed_in = _sign_in(client, "owner@acme.test", next="/o/acme/")
    assert signed_in.url == f"{VERIFY}?{urlencode({'next': '/o/acme/'})}"
    assert client.get("/o/acme/").url.startswith(VERIFY)

    wrong = client.post(VERIFY, {"code": "123456", "next": "/o/acme/"})
    assert wrong.status_code == 400
    assert "That code is not right" in wrong.content.decode()
    assert client.get("/o/acme/").url.startswith(VERIFY)

    owner_device.refresh_from_db()
    owner_device.throttling_failure_count = 0  # the wait after one wrong code, skipped here
    owner_device.save()
    right = client.post(VERIFY, {"code": totp_now(owner_device), "next": "/o/acme/"})
    assert right.url == "/o/acme/"
    assert client.get("/o/acme/").status_code == 200
    assert [d["reason"] for d in _actions(world.org, "account.second_factor_failed")] == ["wrong"]
    assert [d["method"] for d in _actions(world.org, "account.second_factor_passed")] == ["totp"]
    assert _actions(world.org, "account.signed_in")[0]["second_factor"] == "asked"


def test_wrong_codes_make_the_next_try_wait(world, owner_device):
    client = Client()
    _sign_in(client, "owner@acme.test")
    client.post(VERIFY, {"code": "123456"})
    waiting = client.post(VERIFY, {"code": totp_now(owner_device)})
    assert waiting.status_code == 429
    assert "Too many wrong codes" in waiting.content.decode()
    assert client.get("/o/acme/").url.startswith(VERIFY)


def test_a_recovery_code_signs_in_once(world, set_up_second_factor):
    client = Client()
    _sign_in(client, "dpo@acme.test")
    _, codes = set_up_second_factor(client, world.dpo)

    again = Client()
    _sign_in(again, "dpo@acme.test")
    assert again.post(VERIFY, {"code": codes[0].upper()}).url == "/"
    assert again.get("/o/acme/").status_code == 200
    third = Client()
    _sign_in(third, "dpo@acme.test")
    assert third.post(VERIFY, {"code": codes[0]}).status_code == 400
    passed = _actions(world.org, "account.second_factor_passed")
    assert passed[-1] == {
        "user_id": world.dpo.pk,
        "method": "recovery_code",
        "recovery_codes_left": 9,
    }


def test_an_organization_can_require_a_second_factor_of_every_member(world, panel_as):
    assert _sign_in(Client(), "operator@acme.test").url == "/"
    panel_as(world.owner).post(
        "/o/acme/settings/",
        {
            "name": world.org.name,
            "jurisdiction": world.org.jurisdiction,
            "require_second_factor": "on",
        },
    )
    world.org.refresh_from_db()
    assert world.org.require_second_factor
    held = Client()
    assert _sign_in(held, "operator@acme.test").url.startswith(SETUP)
    assert held.get("/o/acme/subjects/").url.startswith(SETUP)
    # The outsider's organization asks nothing of its members beyond owners and DPOs.
    assert world.outsider_org.require_second_factor is False


def test_second_factor_changes_are_audited_in_every_organization(world, set_up_second_factor):
    from tests.factories import MembershipFactory

    MembershipFactory(organization=world.outsider_org, user=world.operator, role="auditor")
    client = Client()
    _sign_in(client, "operator@acme.test")
    set_up_second_factor(client, world.operator)
    client.post("/accounts/second-factor/", {"action": "recovery_codes"})
    client.post("/accounts/second-factor/", {"action": "remove"})
    for org in (world.org, world.outsider_org):
        actions = list(
            AuditEvent.objects.filter(organization=org, target_id=str(world.operator.pk))
            .filter(action__startswith="account.")
            .values_list("action", flat=True)
        )
        assert {
            "account.signed_in",
            "account.second_factor_enrolled",
            "account.recovery_codes_regenerated",
            "account.second_factor_removed",
        } <= set(actions), actions
    assert not TOTPDevice.objects.filter(user=world.operator).exists()


def test_an_owner_cannot_remove_a_required_second_factor(world, set_up_second_factor):
    client = Client()
    _sign_in(client, "owner@acme.test")
    set_up_second_factor(client, world.owner)
    page = client.post("/accounts/second-factor/", {"action": "remove"}, follow=True)
    assert "requires a second factor" in page.content.decode()
    assert TOTPDevice.objects.filter(user=world.owner, confirmed=True).exists()


def test_replacing_the_authenticator_needs_the_current_one_first(world, owner_device):
    client = Client()
    _sign_in(client, "owner@acme.test")
    # Someone with the password alone cannot set up their own authenticator instead.
    assert client.get(SETUP).url.startswith(VERIFY)


# --- Sessions and passwords -----------------------------------------------------------------


def test_a_session_ends_after_thirty_idle_minutes(world):
    start = timezone.now()
    client = Client()
    with time_machine.travel(start, tick=False):
        _sign_in(client, "operator@acme.test")
        assert client.get("/o/acme/").status_code == 200
    with time_machine.travel(start + timedelta(minutes=29), tick=False):
        assert client.get("/o/acme/").status_code == 200  # activity keeps it alive
    with time_machine.travel(start + timedelta(minutes=29 + 31), tick=False):
        assert client.get("/o/acme/").url.startswith(LOGIN)


def test_a_session_ends_twelve_hours_after_sign_in_however_active(world):
    start = timezone.now()
    client = Client()
    with time_machine.travel(start, tick=False):
        _sign_in(client, "operator@acme.test")
    for minutes in range(20, 12 * 60, 20):
        with time_machine.travel(start + timedelta(minutes=minutes), tick=False):
            assert client.get("/o/acme/").status_code == 200
    with time_machine.travel(start + timedelta(hours=12, minutes=5), tick=False):
        ended = client.get("/o/acme/")
    assert ended.url.startswith(LOGIN)


def test_an_older_password_hash_still_signs_in_and_is_upgraded_to_argon2(world, settings):
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.Argon2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]
    world.operator.password = make_password(
        PASSWORD, hasher="pbkdf2_sha256"
    )  # as stored before this change
    world.operator.save()
    assert _sign_in(Client(), "operator@acme.test").status_code == 302
    world.operator.refresh_from_db()
    assert world.operator.password.startswith("argon2$")


def test_the_operator_resets_a_lost_second_factor_and_it_is_audited(world, owner_device):
    import io

    from django.core.management import call_command

    call_command("reset_second_factor", email="OWNER@acme.test", stdout=io.StringIO())
    assert not TOTPDevice.objects.filter(user=world.owner).exists()
    assert _sign_in(Client(), "owner@acme.test").url.startswith(SETUP)
    assert len(_actions(world.org, "account.second_factor_reset")) == 1


def test_guessed_codes_delay_the_authenticator_at_most_minutes_and_recovery_codes_still_work(
    world, owner_device
):
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

    from tenants.services.second_factor import MAX_CODE_WAIT_SECONDS

    recovery = StaticDevice.objects.create(user=world.owner, name="codes", confirmed=True)
    StaticToken.objects.create(device=recovery, token="abcdefgh")
    start = timezone.now()
    attacker = Client()
    _sign_in(attacker, "owner@acme.test")
    for n in range(30):  # an attacker with the password, guessing as fast as allowed
        owner_device.refresh_from_db()
        allowed_at = owner_device.throttling_failure_timestamp or start
        with time_machine.travel(allowed_at + timedelta(seconds=MAX_CODE_WAIT_SECONDS), tick=False):
            attacker.post(VERIFY, {"code": f"{n:06d}"})
    owner_device.refresh_from_db()
    assert owner_device.throttling_failure_count == 10
    last = owner_device.throttling_failure_timestamp
    person = Client()
    with time_machine.travel(last + timedelta(seconds=60), tick=False):
        _sign_in(person, "owner@acme.test")
        assert person.post(VERIFY, {"code": "ABCD-EFGH"}).url == "/"
    with time_machine.travel(last + timedelta(seconds=MAX_CODE_WAIT_SECONDS + 1), tick=False):
        again = Client()
        _sign_in(again, "owner@acme.test")
        assert again.post(VERIFY, {"code": totp_now(owner_device)}).url == "/"
