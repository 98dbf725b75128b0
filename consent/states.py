"""The states of a consent and which of them still allow use or storage: consent's own words.

No other app names a state: they ask consent's rule (``ConsentQuerySet.usable``, ``usable_q``,
``storing``) instead, so a new state is one edit here.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ConsentState(models.TextChoices):
    ACTIVE = "active", _("Active")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    EXPIRED = "expired", _("Expired")
    RECONSENT_REQUIRED = "reconsent_required", _("Re-consent required")
    RESTRICTED = "restricted", _("Restricted")


# The one state in which face processing may happen (with the rest of the rule, usable_q).
USABLE_STATES = (ConsentState.ACTIVE,)
# Still in force: the person can withdraw it, and erasure must (active, or on hold, R22).
IN_FORCE_STATES = (ConsentState.ACTIVE, ConsentState.RESTRICTED)
# A consent in these states still needs the stored template: active, restricted (R22 keeps
# encrypted storage during a hold) or waiting for re-consent after a purpose change (R11).
STORING_STATES = (
    ConsentState.ACTIVE,
    ConsentState.RESTRICTED,
    ConsentState.RECONSENT_REQUIRED,
)
