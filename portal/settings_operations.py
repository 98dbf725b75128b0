"""Operating settings: the logs' format and who may scrape /metrics.

``portal/settings.py`` star-imports this module; every value is read through ``portal.env``.
"""

from portal.env import env_str

# /metrics (portal/metrics.py) answers a scraper that sends this bearer token, or signed-in
# platform staff. Empty: staff only. The figures are platform-wide counts, no personal data, but
# they describe every organization's activity, so they are not public.
METRICS_BEARER_TOKEN = env_str("METRICS_BEARER_TOKEN", "")

# LOG_FORMAT=json (the default): one JSON object per line with the request id that the response's
# X-Request-ID and the request's audit events carry (portal/logs.py). "text" for a terminal.
LOG_FORMAT = env_str("LOG_FORMAT", "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "portal.logs.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "portal.logs.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "text" if LOG_FORMAT == "text" else "json",
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}
