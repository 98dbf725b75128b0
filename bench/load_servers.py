"""bench/load.py's processes: gunicorn and a Celery worker on a private queue, waiting for them
to be ready and stopping them; the database role they serve as; and the tear-down of the bench
database and of the worker's queue."""

import json
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
DB_PREFIX = "bench_load"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:  # noqa: S310 - loopback
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer 200 within {seconds:.0f} s")


def wait_log(path: Path, text: str, seconds: float, process) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"exited early:\n{path.read_text()[-3000:]}")
        if path.exists() and text in path.read_text(errors="replace"):
            return
        time.sleep(0.3)
    raise RuntimeError(f"{text!r} not seen in {path} within {seconds:.0f} s")


def stop(process, seconds: float = 30) -> None:
    if process is None or process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def app_role_create(cfg: dict, role: str) -> None:
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


def database_drop(cfg: dict, role: str | None) -> None:
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


def url_as(cfg: dict, role: str | None) -> str:
    user = role or cfg["USER"]
    return f"postgres://{user}@{cfg['HOST']}:{cfg['PORT']}/{cfg['NAME']}"


def queue_purge(redis_url: str, queue: str) -> None:
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


def server_start(*, port: int, workers: int, threads: int, env: dict, log: Path):
    """Start gunicorn serving the portal on the loopback port, its output in ``log``."""
    return subprocess.Popen(
        [
            str(VENV_BIN / "gunicorn"),
            "portal.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
        ],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )


def worker_start(*, queue: str, env: dict, log: Path):
    """Start one Celery worker process consuming only ``queue``, its output in ``log``."""
    return subprocess.Popen(
        [str(VENV_BIN / "celery"), "-A", "portal", "worker", "--queues", queue]
        + ["--concurrency", "1", "--loglevel", "INFO", "--hostname", f"{queue}@%h"]
        + ["--without-gossip", "--without-mingle"],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
