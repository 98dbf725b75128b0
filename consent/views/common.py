"""What the public and self-service views share."""

from functools import wraps

from django.shortcuts import redirect

from audit.actors import Actor
from consent import sessions

# R4: the consent screen's version is stored with every consent it collected.
CONSENT_UI_VERSION = "web-2026.1"


def subject_actor(request, subject) -> Actor:
    return Actor.subject(
        str(subject.pseudonym),
        request_id=getattr(request, "request_id", ""),
        ip=getattr(request, "client_ip", None),
    )


def anonymous_actor(request) -> Actor:
    return Actor(
        Actor.SUBJECT,
        "",
        "person on the public consent page",
        getattr(request, "request_id", ""),
        getattr(request, "client_ip", None),
    )


def self_service(view):
    """Require a self-service sign-in; the view receives the subject as ``request.subject``."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        subject = sessions.current_subject(request)
        if subject is None:
            return redirect("consent:me")
        request.subject = subject
        return view(request, *args, **kwargs)

    return wrapper
