"""Roles of a membership and what each may do.

The role is the coarse grant; per-object grants (an operator on one deployment) come from
django-guardian. Both are asked through ``user.has_perm(perm, obj)`` (tenants.backends).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    OWNER = "owner", _("Owner")
    DPO = "dpo", _("Data protection officer")
    OPERATOR = "operator", _("Operator")
    AUDITOR = "auditor", _("Auditor")


# New members and API keys start here (R33: least privilege): the auditor reads and changes
# nothing; whoever needs more is given it on purpose. Forms list roles from least to most.
LEAST_PRIVILEGED_ROLE = Role.AUDITOR
ROLES_BY_PRIVILEGE = [Role.AUDITOR, Role.OPERATOR, Role.DPO, Role.OWNER]


def role_choices_by_privilege() -> list[tuple[str, str]]:
    """Return the role choices from least to most privileged, for forms that create a grant."""
    return [(role.value, role.label) for role in ROLES_BY_PRIVILEGE]


# Permission codenames, "app_label.codename" as Django spells them. Higher apps add theirs here
# rather than inventing a second mechanism; the map is data, not code.
VIEW_ORGANIZATION = "tenants.view_organization"
CHANGE_ORGANIZATION = "tenants.change_organization"
VIEW_MEMBERS = "tenants.view_membership"
MANAGE_MEMBERS = "tenants.manage_members"
MANAGE_API_KEYS = "tenants.manage_api_keys"
VIEW_AUDIT = "audit.view_auditevent"
VERIFY_AUDIT = "audit.verify_chain"

# Governance, consent and recognition (their apps check these names).
VIEW_GOVERNANCE = "governance.view_governance"
MANAGE_GOVERNANCE = "governance.manage_governance"
SIGN_OFF_ASSESSMENT = "governance.sign_off_assessment"
VIEW_SUBJECTS = "consent.view_subjects"
MANAGE_CONSENT = "consent.manage_consent"
HANDLE_REQUESTS = "consent.handle_requests"
ENROLL = "governance.enroll_faces"
RUN_JOB = "governance.run_job"
VIEW_RESULTS = "governance.view_results"
REVIEW_RESULTS = "recognition.review_results"
# Subjects' names, contacts and birth dates (PIPL Art. 6: no more than the task needs): owners
# and DPOs; operators and auditors see pseudonyms unless the organization shows them these
# (ORGANIZATION_SETTING_GRANTS).
VIEW_PERSONAL_DATA = "consent.view_personal_data"
# Recording a consent scoped to a deployment: organization-wide for owners and DPOs; an operator
# only on a deployment granted to them (any of OBJECT_GRANTABLE, tenants.backends).
RECORD_CONSENT_AT = "governance.record_consent"

_READ = {
    VIEW_ORGANIZATION,
    VIEW_MEMBERS,
    VIEW_AUDIT,
    VERIFY_AUDIT,
    VIEW_GOVERNANCE,
    VIEW_SUBJECTS,
    VIEW_RESULTS,
}

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.OWNER: frozenset(
        _READ
        | {
            CHANGE_ORGANIZATION,
            MANAGE_MEMBERS,
            MANAGE_API_KEYS,
            MANAGE_GOVERNANCE,
            MANAGE_CONSENT,
            HANDLE_REQUESTS,
            ENROLL,
            RUN_JOB,
            REVIEW_RESULTS,
            VIEW_PERSONAL_DATA,
            RECORD_CONSENT_AT,
        }
    ),
    # R27: the impact assessment is signed off by the data protection officer, not the owner
    # who runs the processing (governance.services.assessments.assessment_sign_off).
    Role.DPO: frozenset(
        _READ
        | {
            MANAGE_GOVERNANCE,
            SIGN_OFF_ASSESSMENT,
            MANAGE_CONSENT,
            HANDLE_REQUESTS,
            REVIEW_RESULTS,
            VIEW_PERSONAL_DATA,
            RECORD_CONSENT_AT,
        }
    ),
    # Operators run the system day to day; they see no audit log and run jobs and enroll only
    # on deployments granted to them object by object (guardian), never organization-wide.
    Role.OPERATOR: frozenset({VIEW_ORGANIZATION, VIEW_GOVERNANCE, VIEW_SUBJECTS, MANAGE_CONSENT}),
    # Auditors read everything and change nothing.
    Role.AUDITOR: frozenset(_READ),
}

# Permissions that an operator holds only through a per-object grant on a deployment.
OBJECT_GRANTABLE = frozenset({RUN_JOB, ENROLL, VIEW_RESULTS})

# Permissions every member holds while a setting (a field) of their organization is on.
ORGANIZATION_SETTING_GRANTS = {VIEW_PERSONAL_DATA: "personal_data_for_all_roles"}


def role_allows(role: str | None, perm: str) -> bool:
    """Return True when ``role`` carries ``perm`` organization-wide."""
    return role is not None and perm in ROLE_PERMISSIONS.get(role, frozenset())
