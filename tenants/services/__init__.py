"""Every write about organizations, accounts, members, invitations and API keys.

The panel, the API and the commands call these; nothing else writes these models.
"""

from tenants.services.accounts import (
    account_audit,
    user_create,
    user_password_reset_requested,
    user_password_set,
)
from tenants.services.api_keys import api_key_create, api_key_revoke
from tenants.services.invitations import (
    invitation_accept,
    invitation_accept_new_account,
    invitation_create,
    invitation_revoke,
)
from tenants.services.members import membership_add, membership_change_role, membership_remove
from tenants.services.organizations import (
    ORGANIZATION_FIELDS,
    organization_create,
    organization_update,
)
from tenants.services.second_factor import (
    recovery_codes_regenerate,
    second_factor_check,
    second_factor_remove,
    totp_device_confirm,
    totp_device_start,
)
from tenants.services.sign_in import account_locked, sign_in_failed, sign_in_recorded

__all__ = [
    "ORGANIZATION_FIELDS",
    "account_audit",
    "account_locked",
    "api_key_create",
    "api_key_revoke",
    "invitation_accept",
    "invitation_accept_new_account",
    "invitation_create",
    "invitation_revoke",
    "membership_add",
    "membership_change_role",
    "membership_remove",
    "organization_create",
    "organization_update",
    "recovery_codes_regenerate",
    "second_factor_check",
    "second_factor_remove",
    "sign_in_failed",
    "sign_in_recorded",
    "totp_device_confirm",
    "totp_device_start",
    "user_create",
    "user_password_reset_requested",
    "user_password_set",
]
