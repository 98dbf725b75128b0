"""Staff sessions: an absolute age, and a sign-in held at the second factor until it is given.

Idle expiry is Django's own (SESSION_COOKIE_AGE, renewed on every request by
SESSION_SAVE_EVERY_REQUEST); this adds the limit no activity extends (SESSION_MAX_AGE_SECONDS).

A session that passed the password but not yet a required second factor reaches only the pages
that give or set one up, and signing out: every other page sends it there, and the API answers
403. API keys never carry a session, so they are untouched.
"""

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from tenants.selectors import second_factor_step

SIGNED_IN_AT = "signed_in_at"
# Reachable before the second factor: what gives it, signing out, and what needs no account.
OPEN_PREFIXES = ("/static/", "/healthz", "/i18n/", "/accounts/logout/")


def session_signed_in(request) -> None:
    """Start the absolute age of a new sign-in (connected to ``user_logged_in``)."""
    request.session[SIGNED_IN_AT] = int(time.time())


class StaffSessionMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            started = request.session.setdefault(SIGNED_IN_AT, int(time.time()))
            if time.time() - started > settings.SESSION_MAX_AGE_SECONDS:
                logout(request)
                return self._signed_out(request)
            if not user.is_verified():
                response = self._second_factor(request, user)
                if response is not None:
                    return response
        return self.get_response(request)

    def _signed_out(self, request):
        if request.path.startswith("/api/"):
            return JsonResponse(
                {"code": "session_expired", "message": "The session has expired.", "details": {}},
                status=401,
            )
        messages.info(request, _("Your session has ended. Please sign in again."))
        return redirect(f"{reverse('login')}?{urlencode({'next': request.get_full_path()})}")

    def _second_factor(self, request, user):
        path = request.path
        if path.startswith(OPEN_PREFIXES):
            return None
        step = second_factor_step(user=user)
        if step is None:
            return None
        target = reverse("second_factor_verify" if step == "verify" else "second_factor_setup")
        if path == target:
            return None
        if path.startswith("/api/"):
            return JsonResponse(
                {
                    "code": "second_factor_required",
                    "message": "Give your second factor in the browser first.",
                    "details": {},
                },
                status=403,
            )
        return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
