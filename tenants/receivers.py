"""Sign-in plumbing: Django's and django-axes' signals handed to the services that audit them."""

from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from audit.actors import Actor
from tenants.middleware import session_signed_in
from tenants.services.sign_in import account_locked, sign_in_failed
from tenants.throttling import username as throttled_name


def _page_actor(request) -> Actor:
    return Actor(
        Actor.SYSTEM,
        "",
        "sign-in page",
        getattr(request, "request_id", ""),
        getattr(request, "client_ip", None),
    )


@receiver(user_logged_in, dispatch_uid="tenants.session_signed_in")
def _signed_in(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        session_signed_in(request)


@receiver(user_login_failed, dispatch_uid="tenants.sign_in_failed")
def _sign_in_failed(sender, credentials, request=None, **kwargs):
    if request is None:
        return
    sign_in_failed(
        username=throttled_name(request, credentials),
        actor=_page_actor(request),
        locked=getattr(request, "sign_in_refused_locked", False),
    )


@receiver(user_locked_out, dispatch_uid="tenants.account_locked")
def _locked_out(sender, request, username, ip_address, **kwargs):
    # django-axes also sends this for each attempt during a lock; those are audited above as
    # failures, only the failure that starts the lock is audited as a lock.
    if request is None or getattr(request, "sign_in_refused_locked", False):
        return
    account_locked(
        username=username,
        actor=_page_actor(request),
        cooloff_seconds=int(settings.AXES_COOLOFF_TIME * 3600),
    )
