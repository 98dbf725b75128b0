"""Sign-in plumbing: Django's and django-axes' signals handed to the services that audit them;
and the end of remembered API-key principals when what they are made of changes."""

from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver
from guardian.models import GroupObjectPermission, UserObjectPermission

from audit.actors import Actor
from tenants.middleware import session_signed_in
from tenants.models import ApiKey, Membership, Organization
from tenants.principal_cache import principals_changed
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


def _principal_changed(sender, instance=None, update_fields=None, **kwargs):
    # A sign-in saves only last_login: nothing a request's permissions are made of.
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return
    principals_changed()


# Cache invalidation is plumbing: whatever path changes a key, its user, a membership, an
# organization's settings or a grant, no remembered principal outlives it
# (tenants.principal_cache). Bulk updates send no signal: their services call it themselves.
for _model in (
    ApiKey,
    Membership,
    Organization,
    get_user_model(),
    UserObjectPermission,
    GroupObjectPermission,
):
    post_save.connect(
        _principal_changed, sender=_model, dispatch_uid=f"principals.save.{_model._meta.label}"
    )
    post_delete.connect(
        _principal_changed, sender=_model, dispatch_uid=f"principals.delete.{_model._meta.label}"
    )
m2m_changed.connect(
    _principal_changed, sender=get_user_model().groups.through, dispatch_uid="principals.groups"
)
