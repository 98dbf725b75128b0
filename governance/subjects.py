"""Data subjects as governance refers to them: by pseudonym only.

Subjects live in the consent app, which sits above governance, so governance cannot look them
up itself. Consent registers its lookup here in its AppConfig.ready (as recognition registers
the stored-individual counter in ``governance.filing``). Until one is registered every
pseudonym is unknown: a reference that cannot be checked is refused, never stored on trust.
"""

from collections.abc import Callable, Iterable

_unknown_pseudonyms: Callable | None = None


def register_pseudonym_check(fn: Callable) -> None:
    """Register ``fn(*, organization, pseudonyms) -> list``: the pseudonyms that are not the
    organization's subjects (another organization's, non-existent or malformed)."""
    global _unknown_pseudonyms
    _unknown_pseudonyms = fn


def pseudonyms_unknown(*, organization, pseudonyms: Iterable[str]) -> list[str]:
    """Return the pseudonyms in ``pseudonyms`` that are not subjects of ``organization``."""
    pseudonyms = list(pseudonyms)
    if _unknown_pseudonyms is None:
        return pseudonyms
    return list(_unknown_pseudonyms(organization=organization, pseudonyms=pseudonyms))
