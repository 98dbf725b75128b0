"""Audit trail throughput and verification time on PostgreSQL.

1. Append: W writer processes each record N events, T events per transaction (1: a durable
   commit per event, the worst case; a request's or a job's events share its transaction), with
   the after-commit sealing they really do. Prints events/s over all writers; --baseline also
   times the same INSERT over bare psycopg, the machine's ceiling for a commit per event.
2. Verify: fills one organization's chain to V events (bulk append, then sealing, both timed)
   and times ``audit_verify`` over the whole chain.
3. Proofs (issue 16): on that V-event tree, times a signed checkpoint, a consistency proof from
   an earlier size and an inclusion proof, each produced from the stored tree and verified.

Sealing builds each organization's Merkle tree and signs checkpoints; --checkpoint-seconds sets
AUDIT_CHECKPOINT_SECONDS for the run (0: a checkpoint at every seal, the worst case).

Usage: DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench \
           .venv/bin/python bench/audit_append.py [--writers 8] [--events 2000] \
           [--per-transaction 1 10] [--baseline] [--verify 1000000] [--checkpoint-seconds 0]
The database is created and migrated if needed; the bench organizations are made afresh.
"""

import argparse
import multiprocessing as mp
import os
import sys
import time
from contextlib import nullcontext
from pathlib import Path

# Scripts run as `python bench/<name>.py`, so this folder is on the path.
from benchdb import ensure_database

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal_bench")
os.environ.setdefault("PORTAL_MODE", "test")  # a throwaway database: secrets may come from var/


def _setup():
    import django

    django.setup()


def _fresh_org(slug):
    from tenants.models import Organization
    from tenants.services import organization_create

    if Organization.objects.filter(slug=slug).exists():
        slug = f"{slug}-{int(time.time())}"
    return organization_create(name=slug, slug=slug, owner_email=f"owner@{slug}.bench")


def _writer(org_id, count, per_transaction, barrier, results):
    _setup()
    from django.db import connection, transaction

    from audit.actors import Actor
    from audit.services import audit_record

    connection.ensure_connection()
    actor = Actor(Actor.USER, "1", "bench@writer", "bench", "127.0.0.1")
    barrier.wait()
    start = time.perf_counter()
    for first in range(0, count, per_transaction):
        # A request's events share its transaction; per_transaction=1 is the worst case, one
        # durable commit per event (the single INSERT in autocommit, as a read's audit is).
        with transaction.atomic() if per_transaction > 1 else nullcontext():
            for i in range(first, min(first + per_transaction, count)):
                audit_record(
                    organization_id=org_id,
                    actor=actor,
                    action="bench.append",
                    target_type="thing",
                    target_id=str(i),
                    subject_pseudonym="5f0c8a4e-1111-4c1e-9a53-000000000000",
                    details={"i": i, "writer": os.getpid()},
                )
    results.put((start, time.perf_counter()))


def _raw_writer(dsn, sql, values, count, barrier, results):
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as conn:
        barrier.wait()
        start = time.perf_counter()
        for _ in range(count):
            conn.execute(sql, values).fetchone()
    results.put((start, time.perf_counter()))


def _run(target, args_for, writers):
    barrier, results = mp.Barrier(writers), mp.Queue()
    procs = [
        mp.Process(target=target, args=(*args_for(), barrier, results)) for _ in range(writers)
    ]
    for proc in procs:
        proc.start()
    spans = [results.get() for _ in procs]
    for proc in procs:
        proc.join()
    return max(end for _, end in spans) - min(start for start, _ in spans)


def bench_baseline(writers, events):
    """The same single-statement append over bare psycopg: this machine's durable-commit ceiling."""
    import json

    from django.conf import settings
    from django.db import connections
    from django.utils import timezone

    from audit.services.recording import _INSERT_ONE

    org = _fresh_org("bench-baseline")
    db = settings.DATABASES["default"]
    dsn = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    values = [
        org.pk,
        timezone.now(),
        "user",
        "1",
        "x",
        "bench.raw",
        "t",
        "1",
        "",
        "r",
        "127.0.0.1",
        json.dumps({"i": 1}),
    ]
    connections.close_all()
    elapsed = _run(_raw_writer, lambda: (dsn, _INSERT_ONE, values, events), writers)
    total = writers * events
    print(f"baseline (bare psycopg, one commit per event): {total / elapsed:,.0f} events/s")


def bench_append(writers, events, per_transaction):
    org = _fresh_org("bench-append")
    from django.db import connections

    # Forked writers must not share the parent's database socket.
    connections.close_all()
    elapsed = _run(_writer, lambda: (org.pk, events, per_transaction), writers)
    total = writers * events
    from audit.models import AuditPending
    from audit.services import audit_seal_pending, audit_verify

    left = AuditPending.objects.filter(organization_id_copy=org.pk).count()
    audit_seal_pending(organization_id=org.pk)
    report = audit_verify(organization_id=org.pk)
    print(
        f"append: {writers} writers x {events} events, {per_transaction} per transaction = "
        f"{total} in {elapsed:.2f} s -> {total / elapsed:,.0f} events/s (left for the periodic "
        f"sealer: {left}; chain ok: {report.ok})"
    )


def bench_verify(size):
    from django.db import connection

    from audit.services import audit_seal_pending, audit_verify

    org = _fresh_org("bench-verify")
    # Filled in SQL: what is measured is sealing and verification, not a million ORM calls.
    start = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH e AS (
                INSERT INTO audit_auditevent (organization_id, created_at, actor_type, actor_id,
                    actor_label, action, target_type, target_id, subject_pseudonym, request_id,
                    ip, details)
                SELECT %s, now() - (%s - i) * interval '1 millisecond', 'api_key', '9',
                       'bench key (abc123)', 'bench.verify', 'subject', i::text,
                       'pseudo-' || (i %% 5000), 'req-' || i, '127.0.0.1'::inet,
                       jsonb_build_object('i', i, 'ok', true, 'note', 'café ☕')
                FROM generate_series(1, %s) AS i
                RETURNING id
            )
            INSERT INTO audit_auditpending (event_id, organization_id_copy)
            SELECT id, %s FROM e
            """,
            [org.pk, size, size, org.pk],
        )
    appended = time.perf_counter() - start
    start = time.perf_counter()
    sealed = audit_seal_pending(organization_id=org.pk, batch_size=20_000)
    sealing = time.perf_counter() - start
    start = time.perf_counter()
    report = audit_verify(organization_id=org.pk)
    verify = time.perf_counter() - start
    print(
        f"fill: {size:,} events inserted in {appended:.1f} s; sealed {sealed:,} in {sealing:.1f} s "
        f"({sealed / sealing:,.0f} events/s)"
    )
    print(
        f"verify: {report.checked:,} events in {verify:.2f} s "
        f"({report.checked / verify:,.0f} events/s); ok={report.ok}"
    )
    bench_proofs(org.pk)


def bench_proofs(org_id):
    """Time a checkpoint, a consistency and an inclusion proof on the product's stored tree."""
    from audit import merkle
    from audit.services import audit_checkpoint
    from audit.services.tree import tree_consistency_proof, tree_inclusion_proof, tree_root

    start = time.perf_counter()
    checkpoint = audit_checkpoint(organization_id=org_id)
    signing = time.perf_counter() - start
    size = checkpoint.tree_size
    root = bytes.fromhex(checkpoint.root_hash)
    old = size // 2 + 12_345
    old_root = tree_root(organization_id=org_id, size=old)
    timings = []
    for _ in range(5):
        start = time.perf_counter()
        proof = tree_consistency_proof(organization_id=org_id, old_size=old, new_size=size)
        timings.append(time.perf_counter() - start)
    assert merkle.verify_consistency(old, size, old_root, root, proof)
    start = time.perf_counter()
    path = tree_inclusion_proof(organization_id=org_id, index=old - 1, size=size)
    inclusion = time.perf_counter() - start
    print(
        f"proofs at {size:,} events: checkpoint signed in {signing * 1000:.1f} ms; consistency "
        f"{old:,} -> {size:,} ({len(proof)} hashes) best {min(timings) * 1000:.1f} ms, median "
        f"{sorted(timings)[2] * 1000:.1f} ms, verified; inclusion ({len(path)} hashes) "
        f"{inclusion * 1000:.1f} ms"
    )


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--events", type=int, default=2000, help="events per writer")
    parser.add_argument(
        "--per-transaction",
        type=int,
        nargs="+",
        default=[1, 10],
        help="events per writer transaction (1: a commit per event)",
    )
    parser.add_argument(
        "--baseline",
        action="store_true",
        help="also time the bare-psycopg append (the machine's commit ceiling)",
    )
    parser.add_argument("--verify", type=int, default=1_000_000, help="chain length to verify")
    parser.add_argument(
        "--proofs-only",
        metavar="SLUG",
        help="only time the proofs on an organization filled by an earlier --verify run",
    )
    parser.add_argument(
        "--checkpoint-seconds",
        type=int,
        default=None,
        help="AUDIT_CHECKPOINT_SECONDS for the run (0: sign at every seal)",
    )
    args = parser.parse_args()
    if args.checkpoint_seconds is not None:
        os.environ["AUDIT_CHECKPOINT_SECONDS"] = str(args.checkpoint_seconds)
    ensure_database()
    if args.proofs_only:
        from tenants.models import Organization

        bench_proofs(Organization.objects.get(slug=args.proofs_only).pk)
        return
    if args.writers and args.baseline:
        bench_baseline(args.writers, args.events)
    if args.writers:
        for per_transaction in args.per_transaction:
            bench_append(args.writers, args.events, per_transaction)
    if args.verify:
        bench_verify(args.verify)


if __name__ == "__main__":
    main()
