"""Consent models, one module per concept."""

from consent.models.access import OneTimeCode, SignInAttempt
from consent.models.consents import Consent, ConsentEvent, ConsentRecipient
from consent.models.keys import SigningKey
from consent.models.receipts import ConsentReceipt
from consent.models.subjects import MinorDataRules, Subject

__all__ = [
    "Consent",
    "ConsentEvent",
    "ConsentReceipt",
    "ConsentRecipient",
    "MinorDataRules",
    "OneTimeCode",
    "SignInAttempt",
    "SigningKey",
    "Subject",
]
