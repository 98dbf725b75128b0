"""The self-service session: no account, just a signed, expiring note of who signed in.

The note (organization id and pseudonym) is signed with SECRET_KEY and checked for age on
every request, on top of Django's session, so a stolen or stale session stops working after
SELF_SERVICE_MAX_AGE even if the session itself lives longer.
"""

from django.core import signing

from consent.models import Subject

SESSION_KEY = "consent_self_service"
PENDING_EMAIL_KEY = "consent_pending_email"
CANDIDATES_KEY = "consent_candidates"
_SALT = "consent.self_service"
_CANDIDATES_SALT = "consent.self_service.candidates"
SELF_SERVICE_MAX_AGE = 30 * 60
CANDIDATES_MAX_AGE = 10 * 60


def start(request, subject: Subject) -> None:
    """Sign ``subject`` in (a fresh session key: no fixation of an earlier one)."""
    request.session.cycle_key()
    request.session.pop(CANDIDATES_KEY, None)
    request.session[SESSION_KEY] = signing.dumps(
        {"o": subject.organization_id, "s": str(subject.pseudonym)}, salt=_SALT
    )


def current_subject(request) -> Subject | None:
    """Return the signed-in subject, or None when nobody is, the note expired or was forged."""
    token = request.session.get(SESSION_KEY)
    if not token:
        return None
    try:
        data = signing.loads(token, salt=_SALT, max_age=SELF_SERVICE_MAX_AGE)
    except signing.BadSignature:
        request.session.pop(SESSION_KEY, None)
        return None
    return (
        Subject.objects.not_erased()
        .filter(organization_id=data["o"], pseudonym=data["s"])
        .select_related("organization")
        .first()
    )


def end(request) -> None:
    request.session.pop(SESSION_KEY, None)
    request.session.pop(CANDIDATES_KEY, None)
    request.session.cycle_key()


def offer_candidates(request, subjects) -> None:
    """Remember which subjects a verified e-mail address may choose between."""
    request.session[CANDIDATES_KEY] = signing.dumps(
        [[s.organization_id, str(s.pseudonym)] for s in subjects], salt=_CANDIDATES_SALT
    )


def candidates(request) -> list[Subject]:
    token = request.session.get(CANDIDATES_KEY)
    if not token:
        return []
    try:
        pairs = signing.loads(token, salt=_CANDIDATES_SALT, max_age=CANDIDATES_MAX_AGE)
    except signing.BadSignature:
        return []
    found = []
    for org_id, pseudonym in pairs:
        subject = (
            Subject.objects.not_erased()
            .filter(organization_id=org_id, pseudonym=pseudonym)
            .select_related("organization")
            .first()
        )
        if subject is not None:
            found.append(subject)
    return found
