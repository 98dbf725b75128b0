"""Platform staff's read-only admin of subjects, consents and their history (tenants.admin_base).

Consents change only through consent's services (grant, withdraw, restrict, ...), each writing
its history event and its receipt; here they and that history are read, one organization at a
time, each view audited.
"""

from django.apps import apps

from tenants.admin_base import register_read_only

register_read_only(
    apps.get_app_config("consent").get_models(),
    personal=(
        "Subject",
        "Consent",
        "ConsentEvent",
        "ConsentReceipt",
        "ConsentRecipient",
        "OneTimeCode",
        "SignInAttempt",
    ),
    overrides={
        "Subject": {"search_fields": ("pseudonym", "display_name", "email")},
    },
)
