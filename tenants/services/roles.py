"""Checks shared by the services that hand out roles."""

from tenants.errors import ApplicationError
from tenants.roles import Role


def role_check(role: str) -> None:
    """Raise ApplicationError unless ``role`` is one of the roles."""
    if role not in Role.values:
        raise ApplicationError(
            f"Unknown role {role!r}: choose one of {', '.join(Role.values)}.", code="invalid_role"
        )
