"""Every write of the consent app. Panel, API, tasks and commands call these."""

from consent.services.codes import code_request, code_verify, receipt_sign_in
from consent.services.consents import (
    Evidence,
    Guardian,
    Recipient,
    consent_decline,
    consent_grant,
    consent_withdraw,
)
from consent.services.receipts import receipt_issue, signing_key_for, signing_key_rotate
from consent.services.retention import consent_history_purge_expired
from consent.services.subjects import (
    minor_rules_publish,
    subject_create,
    subject_erase,
    subject_record_choice,
    subject_update,
    subjects_flag_turning_14,
)
from consent.services.transitions import (
    consent_restore,
    consent_restrict,
    consents_expire_due,
    consents_require_reconsent,
)

__all__ = [
    "Evidence",
    "Guardian",
    "Recipient",
    "code_request",
    "code_verify",
    "consent_decline",
    "consent_grant",
    "consent_history_purge_expired",
    "consent_restore",
    "consent_restrict",
    "consent_withdraw",
    "consents_expire_due",
    "consents_require_reconsent",
    "minor_rules_publish",
    "receipt_issue",
    "receipt_sign_in",
    "signing_key_for",
    "signing_key_rotate",
    "subject_create",
    "subject_erase",
    "subject_record_choice",
    "subject_update",
    "subjects_flag_turning_14",
]
