"""Benchmark recalibration after a gallery grows: a full calibration against an incremental one.

Run from the repository root, e.g.:
    .venv/bin/python bench/recalibration.py --sizes 10000 100000
    .venv/bin/python bench/recalibration.py --sizes 1000000 --kinds manifold --no-full \\
        --connectivity 32 --expansion-add 128

For each gallery kind and size it loads (or builds and caches, bench/results/, shared with
bench/accuracy.py) the indexed synthetic gallery of bench/accuracy.py, calibrates it in full with
the product's `recalibrate` and keeps the held-out sample, then grows it by each share in
`--growth` (new people, each with one template, added to the index as a worker adds them) and
times, on the grown gallery:

- `recalibrate(previous=<the kept sample>)`: the incremental path the service takes, and
- `recalibrate(previous=None)`: a full calibration (unless --no-full),

reporting both points' thresholds and margins, so the figures show what the increment costs and
that it lands where a full one does. Shares are cumulative from the first calibration, as a
gallery's growth is between two calibrations. A last case removes 1% of the original people as
well (withdrawals), to time the probes searched again. Results go to
bench/results/recalibration-<kind>-<size>.json and a markdown table on stdout.
"""

import os

# Must precede the numpy import: OpenBLAS reads these once when it loads.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "2")

import argparse  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
from accuracy import RESULTS, enrolled  # noqa: E402

from recognition.matching import IndexConfig  # noqa: E402
from recognition.matching.calibration import recalibrate  # noqa: E402


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def timed(gallery, previous, genuine, args):
    start = time.perf_counter()
    result = recalibrate(
        gallery,
        previous=previous,
        declared_fpir=args.fpir,
        sample=args.sample,
        genuine_distances=genuine,
    )
    return result, time.perf_counter() - start


def summary(result, seconds: float) -> dict:
    p = result.point
    return {
        "kind": p.kind,
        "fallback": p.fallback,
        "seconds": round(seconds, 2),
        "threshold": p.threshold,
        "margin": p.margin,
        "estimated_fpir": p.estimated_fpir,
        "probes_searched": p.probes_searched,
        "added": p.added_templates,
        "removed": p.removed_templates,
        "probes": p.impostor_samples,
    }


def run(kind: str, size: int, args) -> dict:
    faces, config, gallery, _people, _build_s, genuine = enrolled(kind, size, args)
    report = {
        "kind": kind,
        "size": size,
        "index": {"connectivity": config.connectivity, "expansion_add": config.expansion_add},
        "sample": args.sample,
        "declared_fpir": args.fpir,
        "load_average": os.getloadavg()[0],
        "cases": [],
    }
    log(f"{kind} {size}: first (full) calibration")
    first, seconds = timed(gallery, None, genuine, args)
    report["first"] = summary(first, seconds)
    log(f"{kind} {size}: {report['first']}")
    added = 0
    for share in args.growth:
        grow = int(round(size * share)) - added
        newcomers = faces.photos_of(faces.identities(grow))
        labels = np.arange(size + added, size + added + grow)
        start = time.perf_counter()
        gallery.add_many(labels, newcomers, [f"n{i}" for i in labels], threads=2)
        log(f"{kind} {size}: added {grow:,} to the index in {time.perf_counter() - start:.0f} s")
        added += grow
        report["cases"].append(case(f"+{share:.0%}", gallery, first, genuine, args))
    # Withdrawals as well: 1% of the original people leave.
    leaving = np.random.default_rng(5).choice(size, size // 100, replace=False)
    for label in leaving:
        gallery.remove(int(label))
    report["cases"].append(case(f"+{args.growth[-1]:.0%} -1%", gallery, first, genuine, args))
    return report


def case(name: str, gallery, first, genuine, args) -> dict:
    row = {"change": name, "templates": len(gallery)}
    incremental, seconds = timed(gallery, first.held_out, genuine, args)
    row["incremental"] = summary(incremental, seconds)
    log(f"  {name} incremental: {row['incremental']}")
    if not args.no_full:
        full, seconds = timed(gallery, None, genuine, args)
        row["full"] = summary(full, seconds)
        log(f"  {name} full: {row['full']}")
    return row


def table(reports: list[dict]) -> str:
    lines = [
        "| gallery | size | change | full: time | full: threshold / margin "
        "| incremental: time | probes searched | incremental: threshold / margin |",
        "|---|---:|---|---:|---:|---:|---:|---:|",
    ]
    for r in reports:
        first = r["first"]
        lines.append(
            f"| {r['kind']} | {r['size']:,} | first | {first['seconds']:.1f} s "
            f"| {first['threshold']:.4f} / {first['margin']:.3f} "
            f"| | {first['probes_searched']:,} | |"
        )
        for c in r["cases"]:
            inc, full = c["incremental"], c.get("full")
            full_cells = (
                f"{full['seconds']:.1f} s | {full['threshold']:.4f} / {full['margin']:.3f}"
                if full
                else "not run | "
            )
            note = "" if inc["kind"] == "incremental" else f" (full: {inc['fallback']})"
            lines.append(
                f"| {r['kind']} | {r['size']:,} | {c['change']} | {full_cells} "
                f"| {inc['seconds']:.1f} s{note} | {inc['probes_searched']:,} "
                f"| {inc['threshold']:.4f} / {inc['margin']:.3f} |"
            )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--kinds", nargs="+", default=["manifold", "isotropic"])
    parser.add_argument("--growth", type=float, nargs="+", default=[0.01, 0.05])
    parser.add_argument("--fpir", type=float, default=1e-3)
    parser.add_argument("--sample", type=int, default=20_000)
    parser.add_argument("--connectivity", type=int, default=IndexConfig.connectivity)
    parser.add_argument("--expansion-add", type=int, default=IndexConfig.expansion_add)
    parser.add_argument("--no-full", action="store_true", help="time only the incremental path")
    parser.add_argument(
        "--table", action="store_true", help="only print the table of the results saved so far"
    )
    args = parser.parse_args()
    if args.table:
        saved = [json.loads(p.read_text()) for p in RESULTS.glob("recalibration-*.json")]
        print(table(sorted(saved, key=lambda r: (r["size"], r["kind"]))))
        return
    reports = []
    for size in args.sizes:
        for kind in args.kinds:
            report = run(kind, size, args)
            RESULTS.mkdir(parents=True, exist_ok=True)
            (RESULTS / f"recalibration-{kind}-{size}.json").write_text(json.dumps(report))
            reports.append(report)
    print(table(reports))


if __name__ == "__main__":
    main()
