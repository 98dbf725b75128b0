"""A fresh web process finds a task by name on its first look-up, from any of its threads.

Gunicorn's threads each submitted a fresh process's first jobs at once, and Celery's lazy
discovery answered all but one of them with "never registered", so those jobs waited for the
periodic re-dispatch. Each case runs in a new interpreter: this one has imported every task.
"""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import os, sys, threading
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
django.setup()
assert "recognition.tasks" not in sys.modules, "the probe must start without task modules"
from outbox.services import registered_task
threads, found, start = int(sys.argv[1]), [], threading.Barrier(int(sys.argv[1]))

def look():
    start.wait()
    try:
        found.append(registered_task("recognition.run_job").name)
    except Exception as exc:
        found.append(f"{type(exc).__name__}: {exc}")

workers = [threading.Thread(target=look) for _ in range(threads)]
for worker in workers:
    worker.start()
for worker in workers:
    worker.join()
print("\\n".join(found))
"""


def _probe(threads: int) -> list[str]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings"}
    result = subprocess.run(  # noqa: S603 - this interpreter, a fixed script
        [sys.executable, "-c", PROBE, str(threads)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout.split("\n")[-threads - 1 : -1]


def test_first_look_up_in_a_fresh_process_finds_the_task():
    assert _probe(1) == ["recognition.run_job"]


def test_concurrent_first_look_ups_from_many_threads_all_find_the_task():
    assert _probe(8) == ["recognition.run_job"] * 8
