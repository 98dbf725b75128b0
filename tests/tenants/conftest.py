import re

import pytest
from django.conf import settings

LINK = re.compile(r"https?://\S+")


@pytest.fixture
def mailed_link(mailoutbox):
    """Return ``link_to(address)``: the one link in the newest mail sent to ``address``."""

    def link_to(address: str, base: str | None = None) -> str:
        base = (base or settings.PUBLIC_BASE_URL).rstrip("/")
        mails = [m for m in mailoutbox if address in m.to]
        assert mails, f"no mail to {address}"
        links = {link for link in LINK.findall(mails[-1].body)}
        assert len(links) == 1, links
        link = links.pop()
        assert link.startswith(base), link
        return link.removeprefix(base)

    return link_to


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run the block's after-commit work (mail) as a committed request would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def totp_now(device) -> str:
    """Return the six-digit code ``device`` shows now, as an authenticator app would."""
    from django_otp.oath import totp

    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


@pytest.fixture
def set_up_second_factor():
    """Return ``set_up(client, user, next)``: enrol an authenticator through the pages.

    Returns (the final response, the recovery codes shown).
    """
    from django_otp.plugins.otp_totp.models import TOTPDevice

    def set_up(client, user, next_url="/"):
        page = client.get("/accounts/second-factor/setup/", {"next": next_url})
        assert page.status_code == 200
        device = TOTPDevice.objects.get(user=user, confirmed=False)
        done = client.post(
            "/accounts/second-factor/setup/", {"code": totp_now(device), "next": next_url}
        )
        assert done.status_code == 200, done.content.decode()
        return done, list(done.context["codes"])

    return set_up
