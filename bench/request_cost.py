"""CPU and queries per request of the consent check and its baselines, in one process (P7).

bench/load.py measures throughput across processes, where a loaded machine blurs the figures;
this measures what each request costs the server itself: Django's test client against
PostgreSQL (seeded as bench/load.py seeds), N requests per endpoint after a warm-up, reporting
milliseconds of process CPU per request (``time.process_time``, so the database's own CPU is
not counted; its round trips are, as query counts) and the queries each one ran.

  bare           GET /bench/bare/      no auth, no query
  floor          GET /bench/floor/     the gate's key, organization, permission, rate limits
  consent-check  GET /api/v1/consent-check/ for a random seeded subject

Usage:
  DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_load_cost \\
  REDIS_URL=redis://127.0.0.1:6379/10 .venv/bin/python bench/request_cost.py [-n 500]
"""

import argparse
import json
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def measure(client, urls: list[str], headers: dict, n: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for url in urls[:20]:  # warm-up: imports, caches, the connection
        assert client.get(url, headers=headers).status_code == 200
    statuses: dict[int, int] = {}
    queries = 0
    with CaptureQueriesContext(connection) as captured:
        cpu, wall = time.process_time(), time.perf_counter()
        for i in range(n):
            status = client.get(urls[i % len(urls)], headers=headers).status_code
            statuses[status] = statuses.get(status, 0) + 1
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        queries = len(captured.captured_queries)
    return {
        "cpu_ms": round(1000 * cpu / n, 2),
        "wall_ms": round(1000 * wall / n, 2),
        "queries": round(queries / n, 2),
        "statuses": statuses,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=500, help="requests per endpoint")
    parser.add_argument("--subjects", type=int, default=200)
    parser.add_argument("--json", help="write the figures here too")
    args = parser.parse_args()
    os.environ.setdefault("PORTAL_MODE", "test")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench_load_cost")
    os.environ["PORTAL_BENCH"] = "1"
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "1"
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "bench"))
    from benchdb import ensure_database
    from load import seed

    ensure_database()
    from django.conf import settings
    from django.test import Client

    settings.ALLOWED_HOSTS = ["*"]
    world = seed(subjects=args.subjects, rng=random.Random(7))
    auth = {"Authorization": f"Bearer {world['key']}"}
    check = "/api/v1/consent-check/?deployment={}&purpose={}&subject={}"
    pseudonyms = random.Random(7).sample(world["pseudonyms"], len(world["pseudonyms"]))
    client = Client()
    result = {
        "bare": measure(client, ["/bench/bare/"], {}, args.n),
        "floor": measure(client, ["/bench/floor/"], auth, args.n),
        "consent-check": measure(
            client,
            [check.format(world["deployment"], world["purpose"], p) for p in pseudonyms],
            auth,
            args.n,
        ),
    }
    result["load_average"] = os.getloadavg()
    for name in ("bare", "floor", "consent-check"):
        r = result[name]
        print(
            f"{name:14} {r['cpu_ms']:7.2f} ms CPU  {r['wall_ms']:7.2f} ms wall  "
            f"{r['queries']:5.2f} queries  {r['statuses']}"
        )
    print("load average", " ".join(f"{x:.2f}" for x in result["load_average"]))
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
