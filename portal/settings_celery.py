"""Celery settings: the broker, the task options and the periodic tasks (beat schedule).

``portal/settings.py`` star-imports the module-level settings at the point they used to stand, and
builds CELERY_BEAT_SCHEDULE with :func:`beat_schedule` once the intervals it takes from other
settings are defined. Every value is still read through ``portal.env``.
"""

from portal.env import VAR_DIR, env_bool, env_int, env_str

# Celery: Redis when REDIS_URL is set; otherwise Kombu's file-system transport under var/, which
# needs no server and still runs a real worker process.
REDIS_URL = env_str("REDIS_URL", "")
BROKER_DIR = VAR_DIR / "broker"
# Tasks are acknowledged late: a message a worker took and did not acknowledge goes back to the
# queue after the visibility timeout. Jobs and enrollments do not wait for that: their lease
# (RECOGNITION_JOB_LEASE_SECONDS, portal/settings.py) runs out and the reclaim hands them out
# again, and a late copy finds them finished or held and does nothing. So the timeout only has to
# outlast the longest task without a lease (a calibration, a DSR export): 15 minutes, well above
# the lease plus the reclaim interval (docs/reliability.md, "Jobs that survive crashes").
BROKER_VISIBILITY_TIMEOUT = env_int("CELERY_VISIBILITY", 900)
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": BROKER_VISIBILITY_TIMEOUT}
else:
    (BROKER_DIR / "queue").mkdir(parents=True, exist_ok=True)
    (BROKER_DIR / "processed").mkdir(parents=True, exist_ok=True)
    # The host is a placeholder (the transport uses folders); without one kombu warns each start.
    CELERY_BROKER_URL = "filesystem://localhost//"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        # Remote control (worker pings, broadcasts) keeps its tables here; the default is a
        # control/ folder in the working directory.
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
    }
# Every task goes to this one named queue (CELERY_QUEUE moves them all, e.g. a test worker's
# private queue); tasks name no queue of their own. The one exception, when asked for: each
# gallery shard's search on its own queue (RECOGNITION_SHARD_QUEUES, portal.celery.route_task).
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_QUEUE", "portal")
CELERY_TASK_ROUTES = ["portal.celery.route_task"]
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")


def beat_schedule(
    *,
    audit_seal_interval: int,
    audit_checkpoint_interval: int,
    reclaim_interval: int,
) -> dict[str, dict]:
    """Return CELERY_BEAT_SCHEDULE: every app's periodic tasks, in one place.

    Takes the intervals that are settings of their own (AUDIT_SEAL_INTERVAL_SECONDS,
    AUDIT_CHECKPOINT_SECONDS, RECOGNITION_RECLAIM_INTERVAL_SECONDS); the others are read here.
    """
    return {
        # Seal what after-commit sealing skipped, so no event waits long for its place in the chain.
        "audit-seal-pending": {"task": "audit.seal_pending", "schedule": audit_seal_interval},
        # PIPL Art. 56: records are kept three years; older ones go, the chain stays verifiable.
        "audit-purge-expired": {"task": "audit.purge_expired", "schedule": 24 * 3600},
        # R35: the stored-individual count is compared with the filing threshold hourly.
        "governance-evaluate-filings": {
            "task": "governance.evaluate_all_filings",
            "schedule": env_int("FILING_EVALUATE_INTERVAL_SECONDS", 3600),
        },
        # R15: subjects who turn 14 are flagged daily; consents past their term expire hourly.
        "consent-flag-turning-14": {"task": "consent.flag_turning_14", "schedule": 24 * 3600},
        "consent-expire-due": {"task": "consent.expire_due", "schedule": 3600},
        # R16: consent history is purged daily once three years have passed since its last event.
        "consent-purge-expired-history": {
            "task": "consent.purge_expired_history",
            "schedule": 24 * 3600,
        },
        # R23: Illinois templates are destroyed on BIPA's schedule, checked daily.
        "recognition-bipa-destruction": {
            "task": "recognition.bipa_destruction",
            "schedule": 24 * 3600,
        },
        # Events whose hand-over or reaction did not finish are handed over again, with backoff.
        "outbox-redispatch-due": {
            "task": "outbox.redispatch_due",
            "schedule": env_int("OUTBOX_REDISPATCH_INTERVAL_SECONDS", 60),
        },
        # R50: data-subject requests near or past their deadline are flagged and DPOs told, hourly.
        "dsr-flag-deadlines": {"task": "dsr.flag_deadlines", "schedule": 3600},
        # R51: return packages left uncollected past DSR_TERMINATION_PACKAGE_KEEP_DAYS, daily.
        "dsr-expire-termination-packages": {
            "task": "dsr.expire_termination_packages",
            "schedule": 24 * 3600,
        },
        # Recognition (issue 5): the R20/R22 retention sweep and the probe sweeper, hourly.
        "recognition-retention-sweep": {
            "task": "recognition.retention_sweep",
            "schedule": env_int("RECOGNITION_RETENTION_INTERVAL_SECONDS", 3600),
        },
        "recognition-prune-gallery-changes": {
            "task": "recognition.prune_gallery_changes",
            "schedule": 24 * 3600,
        },
        # Also deletes job previews past RECOGNITION_JOB_PREVIEW_SECONDS (R21, R24: face images
        # kept no longer than needed); an hour's lag is harmless, as none is served past its time.
        "recognition-sweep-probes": {"task": "recognition.sweep_probes", "schedule": 3600},
        # R54: 1:N operating points are re-derived where due (RECOGNITION_RECALIBRATE_*).
        "recognition-calibrate-due": {
            "task": "recognition.calibrate_due",
            "schedule": env_int("RECOGNITION_CALIBRATE_INTERVAL_SECONDS", 3600),
        },
        # Expired job and enrollment leases are handed out again (RECOGNITION_JOB_LEASE_SECONDS).
        "recognition-reclaim-expired": {
            "task": "recognition.reclaim_expired",
            "schedule": reclaim_interval,
        },
        # Issue 16: a signed checkpoint when due, checked no more often than the sealer runs.
        "audit-checkpoint-due": {
            "task": "audit.checkpoint_due",
            "schedule": max(audit_checkpoint_interval, audit_seal_interval),
        },
        # Each organization's latest checkpoint goes to its owners and DPOs daily (portal.tasks).
        "portal-audit-checkpoint-digest": {
            "task": "portal.audit_checkpoint_digest",
            "schedule": 24 * 3600,
        },
        # Issue 18: Idempotency-Key records (and the answers they keep) go after their day.
        "tenants-purge-idempotency-keys": {
            "task": "tenants.purge_idempotency_keys",
            "schedule": 3600,
        },
        # R6: active deployments whose signage photo is past re-attestation are flagged daily.
        "governance-flag-stale-signage": {
            "task": "governance.flag_stale_signage",
            "schedule": 24 * 3600,
        },
    }
