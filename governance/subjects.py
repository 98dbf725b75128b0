"""Data subjects as governance refers to them: by pseudonym only.

Subjects live in the consent app, which sits above governance, so governance cannot look them
up itself. Settings name consent's lookup (GOVERNANCE_PSEUDONYM_CHECK, a dotted path), as they
name the stored-individual counter for ``governance.filing``. Without one every pseudonym is
unknown: a reference that cannot be checked is refused, never stored on trust.
"""

from collections.abc import Iterable

from django.conf import settings
from django.utils.module_loading import import_string


def pseudonyms_unknown(*, organization, pseudonyms: Iterable[str]) -> list[str]:
    """Return the pseudonyms in ``pseudonyms`` that are not subjects of ``organization``.

    settings.GOVERNANCE_PSEUDONYM_CHECK names ``fn(*, organization, pseudonyms) -> list``: the
    pseudonyms that are not the organization's subjects (another's, non-existent, malformed).
    """
    pseudonyms = list(pseudonyms)
    path = getattr(settings, "GOVERNANCE_PSEUDONYM_CHECK", "")
    if not path:
        return pseudonyms
    return list(import_string(path)(organization=organization, pseudonyms=pseudonyms))
