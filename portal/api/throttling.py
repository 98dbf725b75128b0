"""Rate limits of the REST API, per caller and per organization, per route class (issue 15, 18).

Every API request is counted twice in the Django cache (Redis in production, so every web
process counts together): once for its caller (an API key; a signed-in person within the
organization they act for; an anonymous caller by address) and once for the organization. Each
count has its own limit (tenants.rate_limits: settings, or the organization's own override).
Over either, the answer is 429 with ``Retry-After`` and ``{code: "rate_limited", details:
{scope, route_class, limit, window, retry_after}}``.

Counts are fixed windows of API_RATE_WINDOW_SECONDS: one atomic increment per count, no list of
timestamps to rewrite, so concurrent processes cannot lose each other's hits. A caller may
therefore fit up to twice the limit into a short stretch across a window's edge; the limits are
set with that in mind. The self-service /me/ pages are Django views paced by
consent.services.codes, not counted here.

If the cache does not answer, the request goes through and the failure is logged: a rate limit
protects capacity, and a Redis outage must not take the API down with it.
"""

import logging
import math
import time

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.permissions import SAFE_METHODS
from rest_framework.throttling import BaseThrottle

from tenants.counters import window_hit
from tenants.models import ApiKey
from tenants.rate_limits import KEY, ORGANIZATION, READ, WRITE, rate_limit_for
from tenants.throttling import client_ip

logger = logging.getLogger(__name__)


class RateLimited(exceptions.Throttled):
    """Over one of the API's rate limits; ``details`` says which, and when to try again."""

    default_code = "rate_limited"

    def __init__(self, *, scope: str, route_class: str, limit: int, window: int, wait: float):
        wait = max(1, math.ceil(wait))
        counted = _("API key or account") if scope == KEY else _("organization")
        message = _(
            "Too many %(route_class)s requests for this %(counted)s: the limit is %(limit)d per "
            "%(window)d s."
        ) % {"route_class": route_class, "counted": counted, "limit": limit, "window": window}
        super().__init__(wait=wait, detail=message)
        self.details = {
            "scope": scope,
            "route_class": route_class,
            "limit": limit,
            "window": window,
            "retry_after": wait,
        }


def route_class_of(request, view) -> str:
    """Return the request's route class: what the view declares for its action in
    ``rate_limit_classes`` ({"create": "upload"}), else read for GET/HEAD/OPTIONS, else write."""
    declared = getattr(view, "rate_limit_classes", None) or {}
    action = getattr(view, "action", None)
    if action in declared:
        return declared[action]
    return READ if request.method in SAFE_METHODS else WRITE


def _caller(request) -> tuple[str, object]:
    """Return (who is counted as the caller, the organization or None)."""
    auth = getattr(request, "auth", None)
    if isinstance(auth, ApiKey):
        return f"key:{auth.pk}", auth.organization
    # Resolved (and cached on the request) by the permission check, which DRF runs before the
    # throttles; views outside any organization (the schema, receipt checks) have none.
    organization = getattr(request, "_organization", None)
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        within = organization.pk if organization is not None else "-"
        return f"user:{user.pk}@{within}", organization
    return f"ip:{client_ip(request) or '-'}", None


# Both counts of a request in one round trip: INCR each key, giving a new key its window's expiry.
# Atomic per key, as the add-and-incr below is, at a third of its round trips (it is on every
# API request's path).
_COUNT_SCRIPT = """
local counts = {}
for i, key in ipairs(KEYS) do
  counts[i] = redis.call('INCR', key)
  if counts[i] == 1 then redis.call('EXPIRE', key, ARGV[1]) end
end
return counts
"""
_script = None


def _hits(keys: list[str], window: int) -> list[int | None]:
    """Count one request in each key's window; return the counts (None where the cache failed)."""
    redis_cache = getattr(cache, "_cache", None)
    if not hasattr(redis_cache, "get_client"):
        # Not Redis (a local cache in a test run without it): one count at a time.
        return [window_hit(key, window + 1) for key in keys]
    try:
        global _script
        client = redis_cache.get_client(write=True)
        if _script is None:
            # EVALSHA with the script's digest, loading it once per Redis server.
            _script = client.register_script(_COUNT_SCRIPT)
        counts = _script(
            keys=[cache.make_and_validate_key(k) for k in keys], args=[window + 1], client=client
        )
        return [int(count) for count in counts]
    except Exception:
        logger.warning("rate-limit counter unavailable; request let through", exc_info=True)
        return [None] * len(keys)


class RouteClassThrottle(BaseThrottle):
    """Count the request per caller and per organization for its route class; raise
    RateLimited (429) when either count passes its limit."""

    def allow_request(self, request, view):
        route_class = route_class_of(request, view)
        caller, organization = _caller(request)
        window = int(settings.API_RATE_WINDOW_SECONDS)
        now = time.time()
        start = int(now // window) * window
        counts = [(KEY, caller)]
        if organization is not None:
            counts.append((ORGANIZATION, f"org:{organization.pk}"))
        hits = _hits([f"ratelimit:{who}:{route_class}:{start}" for _, who in counts], window)
        for (scope, _who), count in zip(counts, hits, strict=True):
            limit = rate_limit_for(organization, route_class, scope)
            if count is not None and count > limit:
                raise RateLimited(
                    scope=scope,
                    route_class=route_class,
                    limit=limit,
                    window=window,
                    wait=start + window - now,
                )
        return True
