"""Counting events in a time window in the Django cache: the API's rate limits and the public
complaint form's pacing share this one counter."""

import logging

from django.core.cache import cache

logger = logging.getLogger(__name__)


def window_hit(key: str, timeout: int) -> int | None:
    """Count one event under ``key`` (a window of ``timeout`` seconds from its first event);
    return the count, or None when the cache did not answer (callers let the event through)."""
    try:
        cache.add(key, 0, timeout=timeout)
        try:
            return cache.incr(key)
        except ValueError:
            # The window's key expired between add and incr: this is the first of the next.
            cache.set(key, 1, timeout=timeout)
            return 1
    except Exception:
        logger.warning("window counter %s unavailable; event let through", key, exc_info=True)
        return None
