"""A web process's memory of API keys' principals: the key, its user, its organization, and what
the permission backends learned about them (issue 15, P7).

Every API request used to look its key up again, with the key's user and organization, then the
user's membership, then guardian's user and group grants: five queries before any work, each
costing more CPU in the ORM than a bare view's whole request. A gate asking "may I recognise
this person?" many times a second pays that on every question.

What may be remembered, and for how long, is a security decision: a revoked key, a lowered role
or a withdrawn grant must stop working everywhere at once, not at an entry's expiry. So every
entry carries the *generation* it was loaded under, a counter in the shared cache (Redis in
production) that ``principals_changed`` raises whenever anything a principal is made of
changes (tenants.receivers connects it to those models; services that change them with a bulk
``update`` call it themselves). Each request reads the generation (one cache round trip, far
cheaper than one query) and an entry of an older one is loaded again. The generation is raised
after the commit as well as at once: a process that reloaded from rows read before the commit
then holds an entry of the old generation, which the next request drops.

``API_PRINCIPAL_CACHE_SECONDS`` bounds an entry's life besides, so a change made around the
services (a raw SQL statement) still takes effect within that time; 0 turns the memory off. If
the cache does not answer, nothing is remembered: every request reads the database.
"""

import copy
import logging
import threading
import time

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

logger = logging.getLogger(__name__)

GENERATION_KEY = "tenants:principal-generation"
# A process serves a bounded set of keys; past this many it starts afresh rather than track age.
_MAX_ENTRIES = 4096

# What the permission backends memoise on a key's user (tenants.backends): made on the entry's
# own user, so that every copy handed out shares them.
USER_MEMOS = ("_org_roles", "_object_grants")

_entries: dict[str, tuple[float, int, object]] = {}
_lock = threading.Lock()


def principal_generation() -> int | None:
    """Return the shared generation of principals, or None when the cache does not answer."""
    try:
        return int(cache.get(GENERATION_KEY) or 0)
    except Exception:
        logger.warning(
            "principal generation unavailable; keys read from the database", exc_info=True
        )
        return None


def principals_changed() -> None:
    """Forget every remembered principal, in this process now and in every process through the
    shared generation, now and again after the current transaction commits."""
    _bump()
    transaction.on_commit(_bump)


def _bump() -> None:
    with _lock:
        _entries.clear()
    try:
        try:
            cache.incr(GENERATION_KEY)
        except ValueError:
            # No generation yet (a fresh cache): any value differs from the 0 read in its place.
            cache.add(GENERATION_KEY, 1, timeout=None)
    except Exception:
        logger.warning("principal generation not raised; entries expire by age", exc_info=True)


def api_key_principal(key_hash: str, load):
    """Return the API key whose secret hashes to ``key_hash``, as ``load()`` returns it (the key
    with its user and organization, or None), from memory when a current entry holds it.

    The caller gets its own copies of the key and its user, so what one request sets on them
    stays with that request; what the permission backends memoise on the user (its role, its
    grants) is shared with later requests of the same generation.
    """
    lifetime = settings.API_PRINCIPAL_CACHE_SECONDS
    if lifetime <= 0:
        return load()
    generation = principal_generation()
    if generation is None:
        return load()
    now = time.monotonic()
    entry = _entries.get(key_hash)
    if entry is not None and entry[1] == generation and now - entry[0] < lifetime:
        return _own_copy(entry[2])
    key = load()
    if key is None:
        return None
    for memo in USER_MEMOS:
        key.user.__dict__.setdefault(memo, {})
    with _lock:
        if len(_entries) >= _MAX_ENTRIES:
            _entries.clear()
        _entries[key_hash] = (now, generation, key)
    return _own_copy(key)


def principal_used(key_hash: str, when) -> None:
    """Note on the remembered key that its use at ``when`` was recorded, so that later requests
    do not record it again within the recording's precision."""
    entry = _entries.get(key_hash)
    if entry is not None:
        entry[2].last_used_at = when


def _own_copy(key):
    mine = copy.copy(key)
    mine.user = copy.copy(key.user)
    return mine
