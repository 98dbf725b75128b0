"""The texts an organization writes, in the language of the page that shows them.

Names, addresses and alternatives have an English field and a Simplified Chinese one
(``name`` and ``name_zh_hans``). A page shows its language's text and falls back to the other,
so a half-translated organization still reads; a notice, which people consent on, is stricter:
it publishes in a language only when the texts it shows exist in that language
(``notice_content_missing``).
"""

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

ZH_HANS = "zh-hans"

# Per model field: its Simplified Chinese twin and how a refusal names it.
ZH_FIELDS = {
    "name": "name_zh_hans",
    "address": "address_zh_hans",
    "alternatives": "alternatives_zh_hans",
}


def is_zh_hans(language: str | None = None) -> bool:
    return (language or get_language() or "").lower().startswith("zh")


def in_language(obj, field: str, language: str | None = None):
    """Return ``obj.field`` in ``language`` (default: the active one), else the other one's."""
    english = getattr(obj, field)
    chinese = getattr(obj, ZH_FIELDS[field], None)
    if is_zh_hans(language):
        return chinese or english
    return english or chinese


def notice_content_missing(*, purpose_version, language: str) -> list[dict]:
    """Return what a notice in ``language`` would show untranslated, as {field, message}.

    The notice shows the purpose's name and its non-biometric alternatives (R3); in Chinese
    each needs its Chinese text, every alternative translated.
    """
    if not is_zh_hans(language):
        return []
    purpose = purpose_version.purpose
    missing = []
    if not purpose.name_zh_hans.strip():
        missing.append(
            {
                "field": "name_zh_hans",
                "message": _("Give the purpose's name in Simplified Chinese (%(name)s).")
                % {"name": purpose.name},
            }
        )
    translated = [a for a in purpose.alternatives_zh_hans if str(a).strip()]
    if purpose_version.alternatives and len(translated) != len(purpose_version.alternatives):
        missing.append(
            {
                "field": "alternatives_zh_hans",
                "message": _(
                    "Give each non-biometric alternative in Simplified Chinese, one per "
                    "alternative (%(count)d: %(alternatives)s)."
                )
                % {
                    "count": len(purpose_version.alternatives),
                    "alternatives": "; ".join(purpose_version.alternatives),
                },
            }
        )
    return missing
