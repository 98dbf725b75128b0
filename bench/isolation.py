"""One organization can never slow another by more than a set bound: measured (issue 15).

Issue 15 found that eight jobs of twenty 40-megapixel PNGs from one organization held every web
thread for about 80 s, and another organization's simple GET waited 74.9 s. This starts the
product's web server as deployed (gunicorn, the Procfile's 2 workers x 4 threads, PostgreSQL,
Redis for the rate-limit counters and the broker) and measures organization B's simple GETs
(``GET /api/v1/deployments/``, one client, back to back) first alone, then while organization A
floods recognition-job uploads from --flooders clients, in three scenarios:

  attack   A sends the issue's jobs: 20 PNGs of 40 megapixels each (800 MP, about 6 MB); the
           platform's defaults apply.
  defaults A sends jobs within the budgets (--images PNGs of 40 MP); the platform's defaults
           apply: A's upload rate limit and its cap of active jobs refuse most of them (429).
  raised   the same jobs, with A's upload limits (its own override) and the active-job cap out
           of reach, so that the web threads take every upload: the cost of the upload path.
  reads    the control: A sends the same GETs as B, from as many clients, with its read limits
           out of reach: what any busy neighbour costs B on the same processes and cores.

No Celery worker runs (jobs stay queued; the bench measures the web tier, where the issue's
wait was, and a worker on the same two cores would only measure CPU contention); the broker
queue is private and deleted at the end. B's p50/p95/p99 alone and during the flood, and A's
answers, are printed. The bound: during any upload flood B's p95 stays within --bound-ratio
times its p95 during the control (what any busy neighbour costs); the exit status is 1 when it
does not.

Usage (the database is created and migrated if needed; REDIS_URL must name a Redis database):
  DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench_isolation \\
  REDIS_URL=redis://127.0.0.1:6379/3 .venv/bin/python bench/isolation.py \\
      [--seconds 20] [--flooders 8] [--images 5] [--bound-ratio 1.5] \\
      [--scenarios attack,defaults,raised,reads]
"""

import argparse
import http.client
import io
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

# Scripts run as `python bench/<name>.py`, so this folder is on the path.
from benchdb import ensure_database

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal_bench_isolation")

MEGAPIXELS_40 = (8000, 5000)
READ_PATH = "/api/v1/deployments/"


def _world(stamp: str) -> dict:
    """Organization A (an active deployment that takes detect jobs) and B, each with an owner
    API key; return what the clients need."""
    from audit.actors import Actor
    from governance.models import DeploymentPurpose
    from tenants.services import api_key_create
    from tests.factories import (
        ApprovedAssessmentFactory,
        DeploymentFactory,
        OrganizationFactory,
        PublishedNoticeFactory,
        PurposeFactory,
    )

    actor = Actor.system("bench isolation")
    world = {}
    for name in ("a", "b"):
        org = OrganizationFactory(name=f"Bench {name.upper()} {stamp}", slug=f"iso-{name}-{stamp}")
        purpose = PurposeFactory(organization=org, name="Gate", kind="identify_1toN")
        PublishedNoticeFactory(
            purpose_version=purpose.current_version, organization=org, language="en"
        )
        deployment = DeploymentFactory(
            organization=org,
            status="active",
            name="Gate",
            storage_mode="central",
            central_storage_reason="One gallery for every gate.",
        )
        DeploymentPurpose.objects.create(deployment=deployment, purpose=purpose)
        ApprovedAssessmentFactory(deployment=deployment)
        _key, secret = api_key_create(organization=org, actor=actor, name="bench", role="owner")
        world[name] = {
            "org": org,
            "deployment": deployment.pk,
            "purpose": purpose.pk,
            "key": secret,
        }
    return world


def _png_40mp() -> bytes:
    """A 40-megapixel PNG as an attacker would send it: a gradient that compresses well."""
    from PIL import Image

    width, height = MEGAPIXELS_40
    image = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=9)
    return buffer.getvalue()


def _multipart(fields: dict, images: list[bytes]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
        parts.append(f"{head}{value}\r\n".encode())
    for index, data in enumerate(images):
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="images"; '
            f'filename="p{index}.png"\r\nContent-Type: image/png\r\n\r\n'
        )
        parts.append(head.encode() + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _start_server(port: int, media: str, queue: str, extra_env: dict) -> subprocess.Popen:
    env = os.environ | {
        # Demo mode: the platform's own limits (a test start has limits no test reaches), plain
        # HTTP on 127.0.0.1, the secrets the bench process uses from var/.
        "PORTAL_MODE": "demo",
        "MEDIA_ROOT": media,
        "CELERY_QUEUE": queue,
        "LOG_LEVEL": "ERROR",
        **extra_env,
    }
    server = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "portal.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--threads",
            "4",
            "--timeout",
            "300",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/healthz")
            connection.getresponse().read()
            return server
        except OSError:
            time.sleep(0.3)
    server.kill()
    raise SystemExit(
        "gunicorn did not answer within 60 s: " + server.stderr.read().decode()[-2000:]
    )


def _request(connection, method, path, key, body=None, content_type=None):
    headers = {"Authorization": f"Bearer {key}"}
    if content_type:
        headers["Content-Type"] = content_type
    connection.request(method, path, body=body, headers=headers)
    response = connection.getresponse()
    response.read()
    return response.status


def _reader(port: int, key: str, stop: threading.Event, latencies: list, statuses: Counter):
    """B: back-to-back GETs on one keep-alive connection; latency of each in ms."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    while not stop.is_set():
        started = time.perf_counter()
        try:
            status = _request(connection, "GET", READ_PATH, key)
        except (OSError, http.client.HTTPException):
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
            status = "error"
        latencies.append((time.perf_counter() - started) * 1000)
        statuses[status] += 1
    connection.close()


def _flooder(port: int, key: str, body: bytes, content_type: str, stop, statuses: Counter):
    """A: uploads (or, with no body, GETs) one after another, whatever the answer."""
    method, path = ("POST", "/api/v1/recognition-jobs/") if body else ("GET", READ_PATH)
    while not stop.is_set():
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
        try:
            status = _request(connection, method, path, key, body, content_type)
        except (OSError, http.client.HTTPException):
            status = "error"
        finally:
            connection.close()
        statuses[status] += 1


def _percentiles(values: list[float]) -> dict:
    if not values:
        return {"n": 0, "p50": None, "p95": None, "p99": None, "max": None}
    cuts = statistics.quantiles(
        values * 2 if len(values) == 1 else values, n=100, method="inclusive"
    )
    return {
        "n": len(values),
        "p50": round(cuts[49], 1),
        "p95": round(cuts[94], 1),
        "p99": round(cuts[98], 1),
        "max": round(max(values), 1),
    }


def _phase(port, world, seconds, flood=None, flooders=0) -> dict:
    stop = threading.Event()
    latencies, b_statuses, a_statuses = [], Counter(), Counter()
    threads = [
        threading.Thread(
            target=_reader, args=(port, world["b"]["key"], stop, latencies, b_statuses)
        )
    ]
    if flood is not None:
        body, content_type = flood
        threads += [
            threading.Thread(
                target=_flooder,
                args=(port, world["a"]["key"], body, content_type, stop, a_statuses),
            )
            for _ in range(flooders)
        ]
    for thread in threads:
        thread.start()
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join()
    return {
        "b_latency_ms": _percentiles(latencies),
        "b_statuses": dict(b_statuses),
        "a_statuses": dict(a_statuses),
        "a_requests_per_s": round(sum(a_statuses.values()) / seconds, 1),
    }


def _scenario(name, args, world, png, media) -> dict:
    from django.conf import settings

    from audit.actors import Actor
    from recognition.models import RecognitionJob
    from tenants.rate_limits import rate_limit_ceiling
    from tenants.services import organization_update

    a = world["a"]
    count = {"attack": 20, "reads": 0}.get(name, args.images)
    body = _multipart(
        {"deployment": a["deployment"], "purpose": a["purpose"], "mode": "detect"}, [png] * count
    )
    extra_env = {}
    limits = {}
    if name == "reads":
        body = (b"", None)
        limits = {"read": {"key": 10**6, "organization": 10**6}}
    if name == "raised":
        limits = {
            "upload": {
                scope: rate_limit_ceiling("upload", scope) for scope in ("key", "organization")
            }
        }
        extra_env["RECOGNITION_MAX_ACTIVE_JOBS"] = "1000000"
    organization_update(organization=a["org"], actor=Actor.system("bench"), rate_limits=limits)
    RecognitionJob.objects.filter(organization=a["org"]).update(status="failed")
    queue = f"bench-isolation-{uuid.uuid4().hex[:8]}"
    port = _free_port()
    server = _start_server(port, media, queue, extra_env)
    try:
        _phase(port, world, 2)  # warm both workers' connections and imports
        alone = _phase(port, world, args.seconds)
        flooded = _phase(port, world, args.seconds, body, args.flooders)
        peak_mb = _peak_rss_mb(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)
        _drop_queue(settings.CELERY_BROKER_URL, queue)
    return {
        "scenario": name,
        "images_per_job": count,
        "megapixels_per_job": count * MEGAPIXELS_40[0] * MEGAPIXELS_40[1] / 1e6,
        "upload_bytes_per_job": len(body[0]),
        "alone": alone,
        "flooded": flooded,
        "web_worker_peak_rss_mb": peak_mb,
        "p99_added_ms": round(flooded["b_latency_ms"]["p99"] - alone["b_latency_ms"]["p99"], 1),
    }


def _peak_rss_mb(master: int) -> list[float]:
    """Return the peak resident memory (VmHWM) of each gunicorn worker (children of master)."""
    peaks = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(
                line.split(":", 1) for line in status.read_text().splitlines() if ":" in line
            )
        except OSError:
            continue
        if fields.get("PPid", "").strip() == str(master) and "VmHWM" in fields:
            peaks.append(round(int(fields["VmHWM"].split()[0]) / 1024, 1))
    return sorted(peaks)


def _drop_queue(broker_url: str, queue: str) -> None:
    if not broker_url.startswith("redis"):
        return
    import redis

    client = redis.Redis.from_url(broker_url)
    # The queue, and the exchange bindings kombu declared for it: nothing of the run is left.
    client.delete(
        queue, f"{queue}.shard0", f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--flooders", type=int, default=8)
    parser.add_argument("--images", type=int, default=5)
    parser.add_argument("--bound-ratio", type=float, default=1.5)
    parser.add_argument("--scenarios", default="attack,defaults,raised,reads")
    args = parser.parse_args()
    if not os.environ.get("REDIS_URL"):
        raise SystemExit("REDIS_URL must name a Redis database (rate-limit counters, broker).")
    ensure_database()
    world = _world(str(int(time.time())))
    png = _png_40mp()
    media = tempfile.mkdtemp(prefix="bench-isolation-media-")
    results = [
        _scenario(name, args, world, png, media) for name in args.scenarios.split(",") if name
    ]
    control = next((r for r in results if r["scenario"] == "reads"), None)
    for result in results:
        if control is not None:
            result["p95_vs_control"] = round(
                result["flooded"]["b_latency_ms"]["p95"]
                / control["flooded"]["b_latency_ms"]["p95"],
                2,
            )
    summary = {"cpus": os.cpu_count(), "load_average": os.getloadavg(), "results": results}
    print(json.dumps(summary | {"bound_ratio": args.bound_ratio}, indent=2))
    for result in results:
        alone, flooded = result["alone"]["b_latency_ms"], result["flooded"]["b_latency_ms"]
        print(
            f"{result['scenario']:>8}: B alone p50/p95/p99 {alone['p50']}/{alone['p95']}/"
            f"{alone['p99']} ms; during A's flood {flooded['p50']}/{flooded['p95']}/"
            f"{flooded['p99']} ms (max {flooded['max']}); "
            f"A's answers {result['flooded']['a_statuses']}"
        )
    if control is None:
        print("no control scenario (reads) in this run: the bound was not checked")
        return
    worst = max(result["p95_vs_control"] for result in results)
    print(f"worst p95 against the control: {worst} (bound {args.bound_ratio})")
    sys.exit(0 if worst <= args.bound_ratio else 1)


if __name__ == "__main__":
    main()
