"""What the person is told: extension notices, rejection letters, answers (in their language)."""

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from consent.receipts import public_url
from dsr.models import DataRequest


def request_language(data_request: DataRequest) -> str:
    return data_request.language or settings.LANGUAGE_CODE


def rejection_letter(*, data_request: DataRequest, reason: str) -> str:
    """Return the rejection letter: the reason, then the complaint and court routes (R49)."""
    org = data_request.organization
    with translation.override(request_language(data_request)):
        return "\n\n".join(
            [
                _("%(org)s has rejected your request (%(kind)s).")
                % {"org": org.name, "kind": data_request.get_kind_display()},
                _("Reason: %(reason)s") % {"reason": reason},
                _(
                    "If you disagree, you may complain to the authority that protects personal "
                    "information (in China, the Cyberspace Administration; in the EU, your data "
                    "protection authority), and you may bring the matter before a court "
                    "(PIPL Art. 50; GDPR Art. 77-79)."
                ),
                _("Contact: %(contact)s")
                % {"contact": org.pi_contact_email or org.contact_email or org.name},
            ]
        )


def extension_notice(*, data_request: DataRequest) -> str:
    with translation.override(request_language(data_request)):
        return _(
            "We need more time to answer your request (%(kind)s). New deadline: %(date)s. "
            "Why: %(reason)s"
        ) % {
            "kind": data_request.get_kind_display(),
            "date": timezone.localtime(data_request.due_at).strftime("%Y-%m-%d"),
            "reason": data_request.extension_reason,
        }


def completion_notice(*, data_request: DataRequest) -> str:
    with translation.override(request_language(data_request)):
        text = _("Your request (%(kind)s) has been answered.") % {
            "kind": data_request.get_kind_display()
        }
        link = public_url(reverse("dsr:me_request", args=[data_request.pk]))
        return text + "\n\n" + _("See the answer here (sign in first): %(link)s") % {"link": link}


def tell_person(*, data_request: DataRequest, body: str, address: str | None = None) -> None:
    """E-mail the person after the commit, when the organization has their address.

    An erasure passes the address it read before blanking it: the confirmation is the last
    message sent there.
    """
    subject = data_request.subject
    if address is None:
        address = subject.email if subject is not None and not subject.is_erased else ""
    if not address:
        return
    with translation.override(request_language(data_request)):
        line = _("About your request to %(org)s") % {"org": data_request.organization.name}
    transaction.on_commit(lambda: send_mail(line, body, None, [address], fail_silently=True))
