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
