"""Load: consent checks and job submissions from 50 concurrent clients (issue 15, P7).

Sets up its own database (bench/benchdb.py), seeds one organization with a gate's API key (an
operator's key granted run_job on the deployment), subjects with and without a usable consent, a
deployment with a signed-off assessment; starts gunicorn (PORTAL_BENCH=1 mounts the two
baseline views, portal/api/baseline.py) and a real Celery worker on a private queue; then drives
four kinds of client at once with Locust, used as a library, for --seconds after a --warmup:

  consent-check  GET /api/v1/consent-check/ for a random seeded subject (the gate's question)
  job-submit     POST /api/v1/recognition-jobs/, one small face photo from tests/faces
  bare           GET /bench/bare/: no auth, no query: the baseline on the same server, same run
  floor          GET /bench/floor/: the API's fixed cost alone (the gate's key, its organization,
                 its permission, the rate-limit counts), to show how much is the check's own

Every client sends its next request as soon as the last one is answered (a closed loop), so an
endpoint's throughput is its clients divided by its latency. P7 passes when consent-check keeps
at least half of bare's throughput per client. The server and the worker run as an ordinary
database role, so row-level security applies as in production (docs/deploy.md; --as-owner
skips it). Test mode's rate limits are out of reach, but every API request still pays the
throttle's counting.
Everything is torn down at the end: processes, the worker's queue, the database and its role.

Usage (the figures and their conditions go to docs/reliability.md, "Load"):
  DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_load REDIS_URL=redis://127.0.0.1:6379/6 \\
      .venv/bin/python bench/load.py [--clients 50] [--seconds 60] [--json out.json]
"""

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Scripts run as `python bench/<name>.py`, so this folder is on the path; tests load this file by
# its path, so it is put there for them too.
if str(ROOT / "bench") not in sys.path:
    sys.path.insert(0, str(ROOT / "bench"))
from benchdb import ensure_database  # noqa: E402
from load_seed import jobs_summary, seed  # noqa: E402
from load_servers import (  # noqa: E402
    DB_PREFIX,
    app_role_create,
    database_drop,
    free_port,
    queue_purge,
    server_start,
    stop,
    url_as,
    wait_http,
    wait_log,
    worker_start,
)

FACES = ROOT / "tests" / "faces"
PHOTOS = ("obama_small.jpg", "obama-240p.jpg", "astronaut_skimage.jpg")


# --- The clients (a separate process: Locust patches the standard library with gevent) -------


def drive(config: dict) -> dict:
    """Run the clients for the configured time; return per-endpoint figures and errors."""
    from gevent import monkey

    monkey.patch_all()
    import gevent
    from locust import FastHttpUser, constant, task
    from locust.env import Environment

    auth = {"Authorization": f"Bearer {config['key']}"}
    pseudonyms = config["pseudonyms"]
    check_url = "/api/v1/consent-check/?deployment={}&purpose={}&subject={{}}".format(
        config["deployment"], config["purpose"]
    )
    boundary = uuid.uuid4().hex
    bodies = []
    for name in config["photos"]:
        parts = [
            f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"\r\n\r\n{value}\r\n'
            for field, value in (
                ("deployment", config["deployment"]),
                ("purpose", config["purpose"]),
                ("mode", "identify"),
            )
        ]
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="images"; '
            f'filename="{name}"\r\nContent-Type: image/jpeg\r\n\r\n'
        )
        data = (FACES / name).read_bytes()
        body = "".join(parts).encode() + head.encode() + data + f"\r\n--{boundary}--\r\n".encode()
        bodies.append(body)
    # One connection per request, as gunicorn sees traffic behind the proxy of docs/deploy.md
    # (nginx speaks HTTP/1.0 to its upstream and closes each connection). With kept-alive
    # connections each client stays on the process it first landed on, and the comparison
    # became a draw of which kinds shared a process with the uploads: two runs a minute apart
    # (2 December, 22:17 and 22:19 UTC) gave the bare view 4.1 and then 47 requests per second
    # per client with the consent check steady at 2.0 and 1.2.
    close = {"Connection": "close"}
    auth = auth | close
    upload = auth | {"Content-Type": f"multipart/form-data; boundary={boundary}"}
    accepted = {"jobs": 0}

    def expect(response, status: int, key: str | None = None) -> None:
        if response.status_code != status:
            # Status 0: no answer at all (a reset or a time-out); the client's error says which.
            detail = response.text[:120] if response.text else repr(response.error)[:120]
            response.failure(f"HTTP {response.status_code}: {detail}")
        elif key is not None and key not in response.json():
            response.failure(f"no {key!r} in the answer")
        else:
            response.success()

    class Gate(FastHttpUser):
        fixed_count = config["counts"]["consent-check"]
        wait_time = constant(0)

        @task
        def check(self):
            url = check_url.format(random.choice(pseudonyms))  # noqa: S311 - not a secret
            with self.client.get(
                url, headers=auth, name="consent-check", catch_response=True
            ) as response:
                expect(response, 200, "usable")

    class Camera(FastHttpUser):
        fixed_count = config["counts"]["job-submit"]
        wait_time = constant(0)

        @task
        def submit(self):
            with self.client.post(
                "/api/v1/recognition-jobs/",
                data=random.choice(bodies),  # noqa: S311
                headers=upload,
                name="job-submit",
                catch_response=True,
            ) as response:
                expect(response, 202, "id")
                if response.status_code == 202:
                    accepted["jobs"] += 1

    class Bare(FastHttpUser):
        fixed_count = config["counts"]["bare"]
        wait_time = constant(0)

        @task
        def bare(self):
            with self.client.get(
                "/bench/bare/", headers=close, name="bare", catch_response=True
            ) as response:
                expect(response, 200, "ok")

    class Floor(FastHttpUser):
        fixed_count = config["counts"]["floor"]
        wait_time = constant(0)

        @task
        def floor(self):
            with self.client.get(
                "/bench/floor/", headers=auth, name="floor", catch_response=True
            ) as response:
                expect(response, 200, "ok")

    classes = [cls for cls in (Gate, Camera, Bare, Floor) if cls.fixed_count]
    env = Environment(user_classes=classes, host=config["host"])
    runner = env.create_local_runner()
    clients = sum(cls.fixed_count for cls in classes)
    runner.start(clients, spawn_rate=clients)
    gevent.sleep(config["warmup"])
    env.stats.reset_all()
    started = time.time()
    gevent.sleep(config["seconds"])
    measured = time.time() - started
    snapshot = _figures(env.stats, measured)
    runner.quit()
    return {
        "measured_seconds": round(measured, 2),
        "started_at": datetime.fromtimestamp(started, UTC).isoformat(timespec="seconds"),
        "endpoints": snapshot["endpoints"],
        "errors": snapshot["errors"],
        "jobs_accepted_total": accepted["jobs"],
        "client_cpu_warning": bool(getattr(runner, "cpu_warning_emitted", False)),
    }


def _figures(stats, seconds: float) -> dict:
    endpoints = {}
    for entry in stats.entries.values():
        endpoints[entry.name] = {
            "requests": entry.num_requests,
            "failures": entry.num_failures,
            "rps": round(entry.num_requests / seconds, 1),
            "p50_ms": entry.get_response_time_percentile(0.5),
            "p95_ms": entry.get_response_time_percentile(0.95),
            "p99_ms": entry.get_response_time_percentile(0.99),
            "mean_ms": round(entry.avg_response_time, 1),
        }
    errors = [
        {"endpoint": e.name, "error": str(e.error)[:200], "count": e.occurrences}
        for e in stats.errors.values()
    ]
    return {"endpoints": endpoints, "errors": errors}


# --- The run --------------------------------------------------------------------------------


def split(clients: int) -> dict:
    """Return how many clients of each kind: 30% each for the gate and bare (the same number,
    so their throughputs compare directly), 20% each for the floor and the cameras (15, 15, 10
    and 10 of 50)."""
    pair = max(1, round(clients * 0.3))
    floor = max(0, round(clients * 0.2))
    return {
        "consent-check": pair,
        "bare": pair,
        "floor": floor,
        "job-submit": max(0, clients - 2 * pair - floor),
    }


def report(result: dict) -> str:
    lines = [
        f"{result['date']}  load average {result['loadavg_before']} -> {result['loadavg_after']}"
        f"  ({result['cores']} cores)",
        f"gunicorn {result['workers']} workers x {result['threads']} threads; "
        f"clients {result['counts']}; {result['measured_seconds']} s measured after "
        f"{result['warmup']} s warm-up; Celery worker: {result['worker']}",
        f"{'endpoint':<14}{'requests':>9}{'req/s':>8}{'per client':>11}{'p50':>7}{'p95':>7}"
        f"{'p99':>7}{'errors':>8}",
    ]
    for name in ("consent-check", "job-submit", "floor", "bare"):
        e = result["endpoints"].get(name)
        if not e:
            continue
        per_client = e["rps"] / result["counts"][name]
        lines.append(
            f"{name:<14}{e['requests']:>9}{e['rps']:>8}{per_client:>11.1f}{e['p50_ms']:>7}"
            f"{e['p95_ms']:>7}{e['p99_ms']:>7}{e['failures']:>8}"
        )
    if result.get("p7_ratio") is not None:
        verdict = "holds" if result["p7_ratio"] >= 0.5 else "FAILS"
        lines.append(
            f"P7: consent-check keeps {result['p7_ratio']:.0%} of bare's throughput per client "
            f"(goal: at least 50%): {verdict}"
        )
    if result.get("floor_ratio") is not None:
        lines.append(
            f"consent-check keeps {result['floor_ratio']:.0%} of the API floor's throughput per "
            "client (authentication, organization, permission and rate limit, no work)"
        )
    jobs = result.get("jobs")
    if jobs:
        lines.append(
            f"jobs: {result['jobs_accepted_total']} answered 202, {jobs['total']} in the database "
            f"({jobs['by_status']}); {jobs['finished_in_window']} finished in the window"
        )
    for error in result["errors"]:
        lines.append(f"error: {error['endpoint']}: {error['count']} x {error['error']}")
    return "\n".join(lines)


def _per_client_ratio(endpoints: dict, counts: dict, name: str, baseline: str) -> float | None:
    """Return ``name``'s throughput per client over ``baseline``'s, or None without both."""
    mine, theirs = endpoints.get(name), endpoints.get(baseline)
    if not mine or not theirs or not theirs["rps"] or not counts[baseline]:
        return None
    return round((mine["rps"] / counts[name]) / (theirs["rps"] / counts[baseline]), 3)


def run(args) -> dict:
    # A benchmark is a test run on a throwaway database: its secrets may come from var/.
    os.environ.setdefault("PORTAL_MODE", "test")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    os.environ.setdefault("DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/{DB_PREFIX}")
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/6")
    # Seeding's reactions (consent given or withdrawn) run inline here; the server and the
    # worker get an environment without this switch.
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "1"
    media = Path(tempfile.mkdtemp(prefix="bench-load-media-"))
    os.environ["MEDIA_ROOT"] = str(media)
    sys.path.insert(0, str(ROOT))
    from dj_database_url import parse

    cfg = parse(os.environ["DATABASE_URL"])
    role = None if args.as_owner else f"{cfg['NAME']}_app"
    queue = f"bench-load-{uuid.uuid4().hex[:8]}"
    logs = Path(tempfile.mkdtemp(prefix="bench-load-logs-"))
    server = worker = None
    try:
        started = time.monotonic()
        ensure_database()
        world = seed(subjects=args.subjects)
        print(
            f"seeded {world['subjects']} subjects ({world['consented']} consented, "
            f"{world['withdrawn']} withdrawn) in {time.monotonic() - started:.0f} s",
            flush=True,
        )
        from django.db import connections

        connections.close_all()
        if role:
            app_role_create(cfg, role)
        child_env = {k: v for k, v in os.environ.items() if k != "CELERY_TASK_ALWAYS_EAGER"}
        child_env |= {
            "DATABASE_URL": url_as(cfg, role),
            "PORTAL_BENCH": "1",
            "DB_CONN_MAX_AGE": "60",  # as docs/deploy.md runs it
            "CELERY_QUEUE": queue,
            "CACHE_KEY_PREFIX": queue,
            "LOG_LEVEL": "WARNING",
        }
        port = free_port()
        server_log = logs / "gunicorn.log"
        server = server_start(
            port=port, workers=args.workers, threads=args.threads, env=child_env, log=server_log
        )
        host = f"http://127.0.0.1:{port}"
        wait_http(f"{host}/bench/bare/", 120)
        if not args.no_worker:
            worker_log = logs / "worker.log"
            worker = worker_start(queue=queue, env=child_env, log=worker_log)
            wait_log(worker_log, " ready.", 120, worker)
        counts = split(args.clients)
        config = {
            "host": host,
            "key": world["key"],
            "deployment": world["deployment"],
            "purpose": world["purpose"],
            "pseudonyms": world["pseudonyms"],
            "photos": list(PHOTOS),
            "counts": counts,
            "warmup": args.warmup,
            "seconds": args.seconds,
        }
        config_path = logs / "config.json"
        config_path.write_text(json.dumps(config))
        out_path = logs / "driven.json"
        loadavg_before = [round(x, 2) for x in os.getloadavg()]
        window_start = datetime.now(UTC)
        subprocess.run(
            [sys.executable, __file__, "--drive", str(config_path), "--out", str(out_path)],
            cwd=ROOT,
            check=True,
            timeout=args.warmup + args.seconds + 120,
        )
        window_end = datetime.now(UTC)
        loadavg_after = [round(x, 2) for x in os.getloadavg()]
        driven = json.loads(out_path.read_text())
        stop(worker)
        worker = None
        jobs = jobs_summary(
            organization_id=world["organization_id"], since=window_start, until=window_end
        )
        ratio = _per_client_ratio(driven["endpoints"], counts, "consent-check", "bare")
        floor_ratio = _per_client_ratio(driven["endpoints"], counts, "consent-check", "floor")
        return driven | {
            "date": datetime.now(UTC).isoformat(timespec="seconds"),
            "cores": os.cpu_count(),
            "loadavg_before": loadavg_before,
            "loadavg_after": loadavg_after,
            "workers": args.workers,
            "threads": args.threads,
            "counts": counts,
            "warmup": args.warmup,
            "worker": "none (jobs only queued)" if args.no_worker else "1 process",
            "rls": role is not None,
            "subjects": world["subjects"],
            "consented": world["consented"],
            "withdrawn": world["withdrawn"],
            "jobs": jobs,
            "p7_ratio": ratio,
            "floor_ratio": floor_ratio,
        }
    finally:
        stop(worker)
        stop(server)
        queue_purge(os.environ["REDIS_URL"], queue)
        from django.db import connections

        connections.close_all()
        if not args.keep:
            database_drop(cfg, role)
        shutil.rmtree(media, ignore_errors=True)
        if not args.keep:
            shutil.rmtree(logs, ignore_errors=True)
        else:
            print(f"logs kept in {logs}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--warmup", type=float, default=5)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument("--subjects", type=int, default=400)
    parser.add_argument("--no-worker", action="store_true", help="leave jobs queued")
    parser.add_argument("--as-owner", action="store_true", help="serve as the owner (no RLS)")
    parser.add_argument("--keep", action="store_true", help="keep the database and the logs")
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument("--drive", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.drive:
        result = drive(json.loads(Path(args.drive).read_text()))
        Path(args.out).write_text(json.dumps(result))
        return
    result = run(args)
    print(report(result))
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
