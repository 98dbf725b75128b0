"""Template context for every panel page: the organization, the role, the switcher."""

from tenants import roles
from tenants.selectors import organizations_of_user


def panel(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    org = getattr(request, "organization", None)
    role = getattr(request, "role", None)

    def can(perm):
        return org is not None and user.has_perm(perm, org)

    return {
        "current_org": org,
        "current_role": role,
        # The role's translated name, for people; the value stays for code.
        "current_role_label": roles.Role(role).label if role else None,
        "my_orgs": organizations_of_user(user=user),
        "nav": {
            "members": can(roles.VIEW_MEMBERS),
            "api_keys": can(roles.MANAGE_API_KEYS),
            "audit": can(roles.VIEW_AUDIT),
            "settings": can(roles.CHANGE_ORGANIZATION),
            "governance": can(roles.VIEW_GOVERNANCE),
            "subjects": can(roles.VIEW_SUBJECTS),
            "recognition": can(roles.VIEW_ORGANIZATION),
            "review": can(roles.REVIEW_RESULTS),
            "requests": can(roles.HANDLE_REQUESTS),
        },
    }
