"""/healthz: is the database reachable, is the broker reachable.

Anyone (a load balancer's probe) gets the status alone; what failed and why (an error text
may name the broker's address) only signed-in platform staff (Django's is_staff or superuser)
who have given any second factor asked of them.
"""

from django.db import connection
from django.http import JsonResponse

from portal.celery import app as celery_app
from tenants.selectors import second_factor_step


def _database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 - any failure means "down"; the message says why
        return f"error: {exc.__class__.__name__}: {exc}"
    return "ok"


def _broker() -> str:
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception as exc:  # noqa: BLE001
        return f"error: {exc.__class__.__name__}: {exc}"
    return "ok"


def platform_staff(request) -> bool:
    """Return True for signed-in platform staff (is_staff or superuser) past any second factor."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not (user.is_staff or user.is_superuser):
        return False
    return user.is_verified() or second_factor_step(user=user) is None


def healthz(request):
    checks = {"database": _database(), "broker": _broker()}
    healthy = all(value == "ok" for value in checks.values())
    body = {"status": "ok" if healthy else "error"}
    if platform_staff(request):
        body.update(checks)
    return JsonResponse(body, status=200 if healthy else 503)
