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
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FACES = ROOT / "tests" / "faces"
PHOTOS = ("obama_small.jpg", "obama-240p.jpg", "astronaut_skimage.jpg")
VENV_BIN = Path(sys.executable).parent
DB_PREFIX = "bench_load"


# --- Seeding (the orchestrating process, Django set up) --------------------------------------


def seed(*, subjects: int = 400, rng: random.Random | None = None) -> dict:
    """Create the organization, its gate and subjects through the product's services.

    Of the subjects, 80% are given a consent (one in ten of those then withdraws it) and the
    rest never consent, so the gate hears both answers. Return what the clients need.
    """
    from django.utils import timezone

    from audit.actors import Actor
    from consent.models import Subject
    from consent.services import Evidence, consent_grant, consent_withdraw
    from governance.models import (
        Assessment,
        Deployment,
        DeploymentPurpose,
        Notice,
        Purpose,
        PurposeVersion,
    )
    from governance.services.deployments import deployment_grant_operator
    from tenants.services import api_key_create, organization_create

    rng = rng or random.Random(15)
    actor = Actor.system("bench-load")
    slug = f"bench-load-{uuid.uuid4().hex[:8]}"
    org = organization_create(name=slug, slug=slug, owner_email=f"owner@{slug}.bench")
    purpose = Purpose.objects.create(organization=org, name="Office gate", kind="identify_1toN")
    version = PurposeVersion.objects.create(
        purpose=purpose,
        version=1,
        description="Let employees through the office gate.",
        method="1:N search at the gate against the consented employees.",
        necessity_justification="Badges are lent and lost.",
        alternatives=["badge and PIN"],
        retention_days=30,
    )
    purpose.current_version = version
    purpose.save(update_fields=["current_version"])
    notice = Notice.objects.create(
        organization=org,
        purpose_version=version,
        language="en",
        purpose_text="Opening the office gate.",
        status="published",
        published_at=timezone.now(),
        content_hash=uuid.uuid4().hex * 2,
    )
    deployment = Deployment.objects.create(
        organization=org,
        name="HQ gate",
        address="1 Gate Road, Shanghai",
        province="Shanghai",
        place_type="workplace",
        status="active",
        storage_mode="central",
        central_storage_reason="Every gate of the site matches against one gallery.",
    )
    DeploymentPurpose.objects.create(deployment=deployment, purpose=purpose)
    # Jobs need a signed-off assessment covering the purpose's current version (R27, R29).
    assessment = Assessment.objects.create(
        organization=org,
        deployment=deployment,
        title="Gate PIA",
        section_lawfulness="Consent under PIPL Art. 13 and 29.",
        section_rights_impact="Low; the badge stays available.",
        section_security_risks="Templates encrypted at rest.",
        section_protective_measures="Encryption, access control, audit trail.",
        status="approved",
        signed_off_at=timezone.now(),
        retain_until=timezone.now().date() + timedelta(days=3 * 366),
    )
    assessment.purpose_versions.set([version])
    key, secret = api_key_create(organization=org, actor=actor, name="gate", role="operator")
    deployment_grant_operator(deployment=deployment, user=key.user, actor=actor, perms=["run_job"])
    people = Subject.objects.bulk_create(
        Subject(
            organization=org,
            display_name=f"Person {n}",
            external_ref=f"badge-{n}",
            age_bracket=Subject.AgeBracket.ADULT,
        )
        for n in range(subjects)
    )
    evidence = Evidence(channel="api", consent_ui_version="bench-1", ip="127.0.0.1")
    consented = withdrawn = 0
    for person in people:
        if rng.random() >= 0.8:
            continue
        consent, _receipt = consent_grant(
            subject=person,
            purpose_version=version,
            notice=notice,
            actor=actor,
            evidence=evidence,
            central_storage=True,
        )
        consented += 1
        if rng.random() < 0.1:
            consent_withdraw(consent=consent, actor=actor, channel="api")
            withdrawn += 1
    return {
        "organization_id": org.pk,
        "key": secret,
        "deployment": deployment.pk,
        "purpose": purpose.pk,
        "pseudonyms": [str(p.pseudonym) for p in people],
        "subjects": subjects,
        "consented": consented,
        "withdrawn": withdrawn,
    }


def jobs_summary(*, organization_id: int, since: datetime, until: datetime) -> dict:
    """Return the organization's jobs by status, and how many finished inside the window."""
    from django.db.models import Count

    from recognition.models import RecognitionJob

    jobs = RecognitionJob.objects.filter(organization_id=organization_id)
    by_status = dict(jobs.values_list("status").annotate(n=Count("pk")).order_by())
    finished = jobs.filter(finished_at__gte=since, finished_at__lt=until).count()
    return {"total": jobs.count(), "by_status": by_status, "finished_in_window": finished}


# --- Processes ------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_http(url: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:  # noqa: S310 - loopback
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer 200 within {seconds:.0f} s")


def _wait_log(path: Path, text: str, seconds: float, process) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"exited early:\n{path.read_text()[-3000:]}")
        if path.exists() and text in path.read_text(errors="replace"):
            return
        time.sleep(0.3)
    raise RuntimeError(f"{text!r} not seen in {path} within {seconds:.0f} s")


def _stop(process, seconds: float = 30) -> None:
    if process is None or process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _app_role(cfg: dict, role: str) -> None:
    """Create an ordinary role with the application's rights on the bench database (RLS on)."""
    import psycopg

    with psycopg.connect(
        host=cfg["HOST"], port=cfg["PORT"], user=cfg["USER"], dbname=cfg["NAME"], autocommit=True
    ) as conn:
        exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role]).fetchone()
        if not exists:
            conn.execute(f'CREATE ROLE "{role}" LOGIN NOBYPASSRLS')
        conn.execute(f'GRANT USAGE ON SCHEMA public TO "{role}"')
        conn.execute(
            f'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO "{role}"'
        )
        conn.execute(f'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO "{role}"')


def _drop(cfg: dict, role: str | None) -> None:
    """Drop the bench database (only one named bench_load*) and its application role."""
    import psycopg

    if not cfg["NAME"].startswith(DB_PREFIX):
        print(f"kept database {cfg['NAME']}: only {DB_PREFIX}* databases are dropped")
        return
    with psycopg.connect(
        host=cfg["HOST"], port=cfg["PORT"], user=cfg["USER"], dbname="postgres", autocommit=True
    ) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{cfg["NAME"]}" WITH (FORCE)')
        if role:
            conn.execute(f'DROP ROLE IF EXISTS "{role}"')


def _url_as(cfg: dict, role: str | None) -> str:
    user = role or cfg["USER"]
    return f"postgres://{user}@{cfg['HOST']}:{cfg['PORT']}/{cfg['NAME']}"


def _purge_queue(redis_url: str, queue: str) -> None:
    """Remove the private queue from the broker: its messages, bindings and unacknowledged ones
    (a job still running when the worker was stopped), so no later worker picks them up."""
    import redis

    client = redis.Redis.from_url(redis_url)
    client.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")
    for tag, value in client.hscan_iter("unacked"):
        try:
            routing_key = json.loads(value)[2]
        except (ValueError, IndexError, TypeError):
            continue
        if routing_key == queue:
            client.hdel("unacked", tag)
            client.zrem("unacked_index", tag)


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
            with self.client.get("/bench/bare/", name="bare", catch_response=True) as response:
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
    sys.path.insert(0, str(ROOT / "bench"))
    from benchdb import ensure_database
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
            _app_role(cfg, role)
        child_env = {k: v for k, v in os.environ.items() if k != "CELERY_TASK_ALWAYS_EAGER"}
        child_env |= {
            "DATABASE_URL": _url_as(cfg, role),
            "PORTAL_BENCH": "1",
            "DB_CONN_MAX_AGE": "60",  # as docs/deploy.md runs it
            "CELERY_QUEUE": queue,
            "CACHE_KEY_PREFIX": queue,
            "LOG_LEVEL": "WARNING",
        }
        port = _free_port()
        server_log = logs / "gunicorn.log"
        server = subprocess.Popen(
            [
                str(VENV_BIN / "gunicorn"),
                "portal.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(args.workers),
                "--threads",
                str(args.threads),
            ],
            cwd=ROOT,
            env=child_env,
            stdout=server_log.open("w"),
            stderr=subprocess.STDOUT,
        )
        host = f"http://127.0.0.1:{port}"
        _wait_http(f"{host}/bench/bare/", 120)
        if not args.no_worker:
            worker_log = logs / "worker.log"
            worker = subprocess.Popen(
                [
                    str(VENV_BIN / "celery"),
                    "-A",
                    "portal",
                    "worker",
                    "--queues",
                    queue,
                    "--concurrency",
                    "1",
                    "--loglevel",
                    "INFO",
                    "--hostname",
                    f"{queue}@%h",
                    "--without-gossip",
                    "--without-mingle",
                ],
                cwd=ROOT,
                env=child_env,
                stdout=worker_log.open("w"),
                stderr=subprocess.STDOUT,
            )
            _wait_log(worker_log, " ready.", 120, worker)
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
        _stop(worker)
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
        _stop(worker)
        _stop(server)
        _purge_queue(os.environ["REDIS_URL"], queue)
        from django.db import connections

        connections.close_all()
        if not args.keep:
            _drop(cfg, role)
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
