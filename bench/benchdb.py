"""The database a benchmark runs against: created when missing, migrated, Django set up."""

import os


def ensure_database() -> None:
    """Create DATABASE_URL's database if it does not exist, set Django up and migrate it."""
    import django
    import psycopg
    from dj_database_url import parse

    # A benchmark is a test run on a throwaway database: its secrets may come from var/.
    os.environ.setdefault("PORTAL_MODE", "test")
    cfg = parse(os.environ["DATABASE_URL"])
    with psycopg.connect(
        host=cfg["HOST"], port=cfg["PORT"], user=cfg["USER"], dbname="postgres", autocommit=True
    ) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [cfg["NAME"]]
        ).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{cfg["NAME"]}"')
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
