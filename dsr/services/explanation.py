"""Explaining the processing rules (PIPL Art. 48, R48), from the published notices."""

from django.utils.translation import gettext as _
from django.utils.translation import override

from consent.models import Consent
from dsr.models import DataRequest
from dsr.services.letters import request_language
from governance.selectors import notice_published_for


def explanation_text(*, data_request: DataRequest, note: str = "") -> str:
    """Return the answer: for each purpose the person consented to, its published notice.

    The notice in the person's language is used when published, else the English one. The
    DPO's free text (``note``) comes first.
    """
    language = request_language(data_request)
    seen, parts = set(), []
    if note.strip():
        parts.append(note.strip())
    consents = (
        Consent.objects.filter(subject=data_request.subject)
        .select_related("purpose", "purpose_version")
        .order_by("-given_at")
    )
    with override(language):
        for consent in consents:
            if consent.purpose_version_id in seen:
                continue
            seen.add(consent.purpose_version_id)
            notice = notice_published_for(
                purpose_version=consent.purpose_version,
                language=language,
                fallback="en",
            )
            if notice is None:
                continue
            parts.append(
                "\n".join(
                    [
                        f"{consent.purpose.name}",
                        _("Purpose: %(text)s") % {"text": notice.purpose_text},
                        _("How it works: %(text)s") % {"text": notice.method_text},
                        _("How long we keep it: %(text)s") % {"text": notice.retention_text},
                        _("Why it is needed: %(text)s") % {"text": notice.necessity_text},
                        _("Effect on you: %(text)s") % {"text": notice.rights_impact_text},
                        _("The alternative: %(text)s") % {"text": notice.alternative_text},
                        _("Your rights: %(text)s") % {"text": notice.rights_exercise_text},
                    ]
                )
            )
        if not parts:
            parts.append(_("We hold no consent for you, so no processing rules apply to you."))
    return "\n\n".join(parts)
