"""Every write to the audit trail goes through these functions."""

from audit.services.checkpoints import (
    audit_checkpoint,
    audit_checkpoint_due,
    audit_latest_checkpoint,
    audit_verifier_key,
)
from audit.services.recording import audit_record, audit_record_many
from audit.services.retention import audit_purge_expired
from audit.services.sealing import audit_seal_pending
from audit.services.verification import VerifyReport, audit_verify

__all__ = [
    "VerifyReport",
    "audit_checkpoint",
    "audit_checkpoint_due",
    "audit_latest_checkpoint",
    "audit_verifier_key",
    "audit_purge_expired",
    "audit_record",
    "audit_record_many",
    "audit_seal_pending",
    "audit_verify",
]
