"""The recipients a consent names, checked against the organization's register (R25, R26).

A consent may name only a registered, complete recipient (purpose, location, signed contract),
and one abroad only on a recorded legal basis and with the person's consent to the transfer
(PIPL Art. 23, 38, 39). What the person was told is copied onto the consent.
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from governance.gates import fix_url
from governance.models import Recipient as RegisteredRecipient
from governance.residency import TransferRefused, recipient_allowed
from tenants.errors import ApplicationError, RuleViolation


@dataclass(frozen=True)
class Recipient:
    """A third party named on the consent screen, with the person's own yes or no (R25).

    ``name`` is the recipient's name in the organization's register; the rest of what the
    person is told (contact, purpose, method, data types, location) comes from the register.
    """

    name: str
    granted: bool


@dataclass(frozen=True)
class NamedRecipient:
    """A recipient of a grant, resolved: the register's entry and the person's answer."""

    entry: RegisteredRecipient
    granted: bool


def recipients_resolve(*, organization, recipients, cross_border: bool) -> list[NamedRecipient]:
    """Return the register entries the grant names, in order; refuse what the rules forbid.

    Raise ApplicationError for a blank or repeated name, RuleViolation (R25) for a name not in
    the register or an entry lacking its purpose, location or contract, TransferRefused (R26)
    for one abroad without a legal basis in force, or granted without ``cross_border``.
    """
    names = [r.name.strip() for r in recipients]
    if any(not n for n in names) or len(set(names)) != len(names):
        raise ApplicationError(
            _("Each recipient needs a distinct name."), code="invalid_recipients"
        )
    found = {
        entry.name: entry
        for entry in RegisteredRecipient.objects.for_org(organization).filter(name__in=names)
    }
    unknown = [n for n in names if n not in found]
    if unknown:
        raise RuleViolation(
            _(
                "A consent names only recipients registered with their purpose, location and "
                "contract (R25). Not registered: %(names)s."
            )
            % {"names": ", ".join(unknown)},
            code="recipient_unregistered",
            details=[
                {
                    "rule": "R25",
                    "message": _("Register the recipient with its signed contract first."),
                    "fix_url": fix_url("gov_recipient_list", organization),
                    "recipients": unknown,
                }
            ],
        )
    resolved = []
    for recipient, name in zip(recipients, names, strict=True):
        entry = found[name]
        recipient_allowed(recipient=entry)
        if recipient.granted and entry.abroad and not cross_border:
            raise TransferRefused(
                _(
                    "%(name)s is outside the PRC: providing data to it needs the person's "
                    "separate consent to the transfer abroad (R26, PIPL Art. 39)."
                )
                % {"name": entry.name},
                details=[
                    {
                        "rule": "R26",
                        "field": "cross_border",
                        "message": _(
                            "Ask for and record the consent to the transfer, or leave this "
                            "recipient unticked."
                        ),
                        "fix_url": "",
                    }
                ],
            )
        resolved.append(NamedRecipient(entry, bool(recipient.granted)))
    return resolved
