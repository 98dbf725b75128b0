"""R35 stored-individual count at 1,000,000 subjects on PostgreSQL (issue 5).

Fills its own database (default portal_bench_filing, dropped and re-created) with the shapes of
recognition_subjectkey and recognition_facetemplate and their indexes as the migration creates
them, by COPY, then times:

  flag:     COUNT(*) over the subject keys with stored_templates > 0 (partial index), what
            recognition.selectors.stored_individuals_count runs;
  distinct: COUNT(DISTINCT subject_id) over the templates, the naive query it replaces.

Usage: .venv/bin/python bench/filing_count.py [--subjects 1000000] [--dsn postgres://...]
"""

import argparse
import io
import random
import statistics
import time

import psycopg

SCHEMA = """
CREATE TABLE recognition_subjectkey (
    id bigserial PRIMARY KEY,
    organization_id bigint NOT NULL,
    subject_id bigint NOT NULL UNIQUE,
    wrapped bytea,
    org_key_id bigint,
    stored_templates integer NOT NULL CHECK (stored_templates >= 0),
    created_at timestamptz NOT NULL DEFAULT now(),
    destroyed_at timestamptz
);
CREATE TABLE recognition_facetemplate (
    id bigserial PRIMARY KEY,
    organization_id bigint NOT NULL,
    subject_id bigint NOT NULL,
    deployment_id bigint NOT NULL,
    purpose_id bigint NOT NULL,
    ciphertext bytea NOT NULL
);
"""
INDEXES = """
CREATE INDEX subject_key_stored ON recognition_subjectkey (organization_id)
    WHERE stored_templates > 0;
CREATE INDEX template_org_purpose ON recognition_facetemplate (organization_id, purpose_id);
CREATE INDEX template_subject_purpose ON recognition_facetemplate (subject_id, purpose_id);
"""
FLAG = (
    "SELECT count(*) FROM recognition_subjectkey "
    "WHERE organization_id = %s AND stored_templates > 0"
)
DISTINCT = (
    "SELECT count(DISTINCT subject_id) FROM recognition_facetemplate WHERE organization_id = %s"
)


def fill(conn, subjects: int, seed: int = 5) -> dict:
    rng = random.Random(seed)
    cipher = "\\\\x" + "ab" * 541  # a template's ciphertext size (1 + 12 + 512 + 16 bytes)
    keys, templates = io.StringIO(), io.StringIO()
    stored = 0
    other_org = subjects // 5  # a second organization, so the index has to select
    for subject_id in range(1, subjects + other_org + 1):
        org = 1 if subject_id <= subjects else 2
        # 1-3 templates across two deployments; 5% erased or purged (counter 0, no templates).
        count = 0 if rng.random() < 0.05 else rng.choice((1, 1, 2, 3))
        keys.write(f"{org}\t{subject_id}\t\\\\x00\t{count}\n")
        for n in range(count):
            templates.write(f"{org}\t{subject_id}\t{1 + n % 2}\t1\t{cipher}\n")
        stored += org == 1 and count > 0
    with conn.cursor() as cur:
        keys.seek(0)
        with cur.copy(
            "COPY recognition_subjectkey (organization_id, subject_id, wrapped, stored_templates)"
            " FROM STDIN"
        ) as copy:
            copy.write(keys.getvalue())
        templates.seek(0)
        with cur.copy(
            "COPY recognition_facetemplate "
            "(organization_id, subject_id, deployment_id, purpose_id, ciphertext) FROM STDIN"
        ) as copy:
            copy.write(templates.getvalue())
    return {"org1_stored": stored}


def timed(conn, sql: str, runs: int = 7) -> tuple[int, list[float]]:
    times, value = [], None
    with conn.cursor() as cur:
        for _ in range(runs):
            start = time.perf_counter()
            cur.execute(sql, (1,))
            value = cur.fetchone()[0]
            times.append((time.perf_counter() - start) * 1000)
    return value, times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subjects", type=int, default=1_000_000)
    parser.add_argument("--dsn", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--database", default="portal_bench_filing")
    args = parser.parse_args()
    with psycopg.connect(args.dsn, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{args.database}"')
        admin.execute(f'CREATE DATABASE "{args.database}"')
    dsn = args.dsn.rsplit("/", 1)[0] + "/" + args.database
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(SCHEMA)
        start = time.perf_counter()
        facts = fill(conn, args.subjects)
        conn.execute(INDEXES)
        conn.execute("VACUUM ANALYZE")
        print(
            f"filled {args.subjects:,} subjects (+{args.subjects // 5:,} in another org) "
            f"in {time.perf_counter() - start:.1f} s"
        )
        templates = conn.execute("SELECT count(*) FROM recognition_facetemplate").fetchone()[0]
        print(f"template rows: {templates:,}")
        for name, sql in (("flag (partial index)", FLAG), ("COUNT(DISTINCT)", DISTINCT)):
            value, times = timed(conn, sql)
            assert value == facts["org1_stored"], (name, value, facts)
            print(
                f"{name:22s} count={value:,}  best {min(times):7.1f} ms  "
                f"median {statistics.median(times):7.1f} ms"
            )
        plan = conn.execute("EXPLAIN (ANALYZE, BUFFERS) " + FLAG.replace("%s", "1")).fetchall()
        print("\n".join(row[0] for row in plan))


if __name__ == "__main__":
    main()
