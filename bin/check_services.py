"""Fail at once, saying what to start, when the test servers cannot be reached."""

import os
import sys

import psycopg
import redis
from dj_database_url import parse


def main() -> int:
    failures = []
    db = parse(os.environ["DATABASE_URL"])
    if db["ENGINE"].endswith("postgresql"):
        try:
            psycopg.connect(
                host=db["HOST"] or "127.0.0.1",
                port=db["PORT"] or 5432,
                user=db["USER"] or "postgres",
                password=db["PASSWORD"] or None,
                dbname="postgres",
                connect_timeout=3,
            ).close()
        except psycopg.Error as exc:
            failures.append(
                f"PostgreSQL is not reachable at {db['HOST']}:{db['PORT']} ({exc}).\n"
                "  Start it, e.g.: pg_ctlcluster --skip-systemctl-redirect "
                "$(ls /etc/postgresql) main start, or set DATABASE_URL."
            )
    try:
        redis.Redis.from_url(os.environ["REDIS_URL"], socket_connect_timeout=3).ping()
    except redis.RedisError as exc:
        failures.append(
            f"Redis is not reachable at {os.environ['REDIS_URL']} ({exc}).\n"
            "  Start it, e.g.: redis-server --daemonize yes --bind 127.0.0.1 --port 6379 "
            '--save "" --appendonly no, or set REDIS_URL.'
        )
    for failure in failures:
        print(f"error: {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
