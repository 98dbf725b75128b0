"""Benchmark calibrated 1:N identification: declared FPIR against FPIR measured on strangers.

Run from the repository root, e.g.:
    .venv/bin/python bench/accuracy.py --sizes 10000 100000
    nohup .venv/bin/python bench/accuracy.py --sizes 1000000 --strangers 100000 \\
        > var/bench-accuracy-1m.txt 2>&1 &

For each gallery kind (the face-like manifold and the isotropic worst case, synthetic_faces.py)
and size, it builds an indexed `Gallery` (cached under bench/results/, git-ignored), then:

1. calibrates it with the product's own `calibrate` at each declared FPIR, timed, with genuine
   distances from re-enrollment-like records (a second photo of 2,000 enrolled people);
2. searches fresh probes the calibration never saw, as a job does (`SEARCH_K` nearest by the
   index) and applies `decide`: photos of never-enrolled people for the FPIR (the share named),
   new photos of enrolled people for the FNIR (the share not named as themselves) and the share
   named as somebody else;
3. writes the measured and estimated DET curves as data (bench/results/accuracy-*.json) and as
   SVG charts (docs/accuracy/), and prints a markdown table.

The real photos in tests/faces are encoded once (cached) and reported on their own: they hold too
few people to calibrate from, which the report states rather than hides.
"""

import os

# Must precede the numpy import: OpenBLAS reads these once when it loads.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "2")

import argparse  # noqa: E402
import itertools  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
from synthetic_faces import generator  # noqa: E402

from recognition.matching import Gallery, IndexConfig  # noqa: E402
from recognition.matching.calibration import (  # noqa: E402
    NAMED,
    SEARCH_K,
    calibrate,
    decide,
)

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
CHARTS = ROOT / "docs" / "accuracy"


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def build(kind: str, size: int, config: IndexConfig, faces) -> tuple[Gallery, np.ndarray, float]:
    """Return the gallery, its people (latent points) and the build seconds (0 when cached)."""
    key = f"gallery-{kind}-{size}-c{config.connectivity}-e{config.expansion_add}"
    cache = RESULTS / f"{key}.npz"
    people_cache = RESULTS / f"{key}-people.npy"
    people = faces.identities(size)
    if cache.exists() and people_cache.exists():
        log(f"{key}: loading cached gallery")
        # The generator state must advance as in a fresh build so later draws do not repeat.
        faces.photos_of(people)
        return Gallery.load(cache), np.load(people_cache), 0.0
    templates = faces.photos_of(people)
    gallery = Gallery(indexed=True, config=config)
    start = time.perf_counter()
    for first in range(0, size, 100_000):
        chunk = slice(first, first + 100_000)
        gallery.add_many(
            np.arange(size)[chunk],
            templates[chunk],
            [f"s{i}" for i in range(first, min(size, first + 100_000))],
            threads=2,
        )
        log(f"{key}: built {len(gallery):,} in {time.perf_counter() - start:.0f} s")
    seconds = time.perf_counter() - start
    RESULTS.mkdir(parents=True, exist_ok=True)
    gallery.save(cache)
    np.save(people_cache, people)
    return gallery, people, seconds


def searched(gallery: Gallery, probes: np.ndarray) -> list:
    out = []
    for start in range(0, len(probes), 10_000):
        out.extend(gallery.search(probes[start : start + 10_000], SEARCH_K))
    return out


def best_and_margin(results) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Per probe: best distance, the margin decide() applies, and the best subject."""
    best = np.full(len(results), np.inf)
    margin = np.zeros(len(results))
    subject = [""] * len(results)
    for i, found in enumerate(results):
        if not found:
            continue
        best[i], subject[i] = found[0].distance, found[0].subject
        other = next((c for c in found if c.subject != found[0].subject), found[-1])
        margin[i] = other.distance - found[0].distance
    return best, margin, subject


def measured_det(thresholds, margin, strangers, mated) -> list:
    s_best, s_margin, _ = strangers
    m_best, m_margin, m_right = mated
    rows = []
    for t in thresholds:
        fpir = float(np.mean((s_best <= t) & (s_margin >= margin)))
        hit = (m_best <= t) & (m_margin >= margin) & m_right
        rows.append((float(t), fpir, float(1 - hit.mean())))
    return rows


def enrolled(kind: str, size: int, args):
    """Return (faces, config, gallery, people, build seconds, genuine distances) of the cached
    gallery of ``kind`` at ``size``; bench/recalibration.py measures the same gallery."""
    faces = generator(kind, seed=size + (0 if kind == "isotropic" else 1))
    config = IndexConfig(connectivity=args.connectivity, expansion_add=args.expansion_add)
    gallery, people, build_s = build(kind, size, config, faces)
    # Re-enrollment records: a second and third photo of 2,000 enrolled people.
    records = faces.rng.choice(size, 2000, replace=False)
    genuine = np.linalg.norm(
        faces.photos_of(people[records]) - faces.photos_of(people[records]), axis=1
    )
    return faces, config, gallery, people, build_s, genuine


def run(kind: str, size: int, args) -> dict:
    faces, config, gallery, people, build_s, genuine = enrolled(kind, size, args)
    log(f"{kind} {size}: searching {args.strangers:,} strangers and {args.mated:,} mated probes")
    start = time.perf_counter()
    stranger_results = searched(gallery, faces.photos_of(faces.identities(args.strangers)))
    strangers = best_and_margin(stranger_results)
    mated_ids = faces.rng.choice(size, args.mated, replace=False)
    mated_results = searched(gallery, faces.photos_of(people[mated_ids]))
    m_best, m_margin, m_subject = best_and_margin(mated_results)
    m_right = np.array([s == f"s{i}" for s, i in zip(m_subject, mated_ids, strict=True)])
    search_s = time.perf_counter() - start
    report = {
        "kind": kind,
        "size": size,
        "index": {"connectivity": config.connectivity, "expansion_add": config.expansion_add},
        "build_s": round(build_s, 1),
        "strangers": args.strangers,
        "mated": args.mated,
        "probe_search_s": round(search_s, 1),
        "share_within_0_6": round(float(np.mean(strangers[0] <= 0.6)), 4),
        "points": [],
    }
    for declared in args.fpirs:
        start = time.perf_counter()
        point = calibrate(
            gallery, declared_fpir=declared, sample=args.sample, genuine_distances=genuine
        )
        seconds = time.perf_counter() - start
        # decide() on every probe, exactly as a job answers. A point the capacity gate refuses
        # names nobody; the figures then say what its threshold and margin would have done.
        decided = float(np.mean([decide(r, point).kind == NAMED for r in stranger_results]))
        named = float(np.mean((strangers[0] <= point.threshold) & (strangers[1] >= point.margin)))
        hit = (m_best <= point.threshold) & (m_margin >= point.margin)
        if point.usable:
            assert decided == named, "decide() and the measured curve disagree"
            checked = [decide(r, point).kind == NAMED for r in mated_results]
            assert np.array_equal(checked, hit), "decide() and the measured curve disagree"
        wrong = float(np.mean(hit & ~m_right))
        fnir = float(1 - np.mean(hit & m_right))
        thresholds = [t for t, _, _ in point.det]
        report["points"].append(
            {
                "declared_fpir": declared,
                "threshold": point.threshold,
                "margin": point.margin,
                "usable": point.usable,
                "estimated_fpir": point.estimated_fpir,
                "measured_fpir": named,
                "named_by_decide": decided,
                "stranger_events": int(round(named * args.strangers)),
                "measured_fpir_threshold_only": float(np.mean(strangers[0] <= point.threshold)),
                "estimated_fnir": point.estimated_fnir,
                "measured_fnir": fnir,
                "measured_wrong_identity": wrong,
                "genuine_median": point.genuine_median,
                "calibration_s": round(seconds, 1),
                "tail_exponent": round(point.tail_exponent, 2),
                "det_estimated": point.det,
                "det_measured": measured_det(
                    thresholds, point.margin, strangers, (m_best, m_margin, m_right)
                ),
            }
        )
        log(f"{kind} {size} {declared:g}: {json.dumps(report['points'][-1])[:400]}")
    return report


def real_photos() -> dict:
    """Encode every face in tests/faces once (cached) and report same/different distances."""
    cache = RESULTS / "real-faces.json"
    if cache.exists():
        data = json.loads(cache.read_text())
    else:
        import face_recognition  # only here: encoding needs dlib, the rest of the bench does not

        manifest = json.loads((ROOT / "tests" / "faces" / "manifest.json").read_text())
        data = {}
        for name, info in manifest.items():
            if not info["faces"]:
                continue
            image = face_recognition.load_image_file(ROOT / "tests" / "faces" / name)
            data[name] = [e.tolist() for e in face_recognition.face_encodings(image)]
        RESULTS.mkdir(parents=True, exist_ok=True)
        cache.write_text(json.dumps(data))
    pairs = []
    for (a, ea), (b, eb) in itertools.combinations(data.items(), 2):
        for x, y in itertools.product(ea, eb):
            pairs.append((a, b, float(np.linalg.norm(np.array(x) - np.array(y)))))
    return {"encodings": {k: len(v) for k, v in data.items()}, "pairs": pairs}


def table(reports: list[dict]) -> str:
    lines = [
        "| gallery | size | declared FPIR | threshold | margin | measured FPIR (events) "
        "| est. FNIR | measured FNIR | named wrongly | usable | recalibration |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|",
    ]
    for r in reports:
        for p in r["points"]:
            lines.append(
                f"| {r['kind']} | {r['size']:,} | {p['declared_fpir']:g} | {p['threshold']:.3f} "
                f"| {p['margin']:.3f} | {p['measured_fpir']:.2e} ({p['stranger_events']}) "
                f"| {p['estimated_fnir']:.3f} | {p['measured_fnir']:.3f} "
                f"| {p['measured_wrong_identity']:.1e} | {'yes' if p['usable'] else 'no'} "
                f"| {p['calibration_s']:.1f} s |"
            )
    return "\n".join(lines)


def _svg_path(points, sx, sy) -> str:
    return " ".join(
        f"{'M' if i == 0 else 'L'}{sx(f):.1f},{sy(n):.1f}" for i, (f, n) in enumerate(points)
    )


def det_svg(report: dict) -> str:
    """A DET chart (FNIR against FPIR, both logarithmic) that reads without colour: the
    estimate is a solid line, the measurement a dashed line with circles, each declared
    operating point a square with its label."""
    width, height, left, right, top, bottom = 560, 400, 70, 20, 40, 50
    x_lo, x_hi, y_lo, y_hi = -6.0, 0.0, -3.0, 0.0

    def sx(fpir: float) -> float:
        v = min(max(math.log10(max(fpir, 1e-12)), x_lo), x_hi)
        return left + (v - x_lo) / (x_hi - x_lo) * (width - left - right)

    def sy(fnir: float) -> float:
        v = min(max(math.log10(max(fnir, 1e-12)), y_lo), y_hi)
        return top + (y_hi - v) / (y_hi - y_lo) * (height - top - bottom)

    point = report["points"][0]
    estimated = [(f, n) for _, f, n in point["det_estimated"] if n is not None and f > 0]
    measured = [(f, n) for _, f, n in point["det_measured"] if f > 0]
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">',
        f'<rect width="{width}" height="{height}" fill="white"/>',
        f'<text x="{width / 2}" y="20" text-anchor="middle" font-size="14">DET: {report["kind"]}'
        f" gallery, {report['size']:,} identities</text>",
    ]
    for e in range(int(x_lo), int(x_hi) + 1):
        x = sx(10.0**e)
        out.append(
            f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{height - bottom}" stroke="#ccc"/>'
        )
        out.append(
            f'<text x="{x:.1f}" y="{height - bottom + 16}" text-anchor="middle">1e{e}</text>'
        )
    for e in range(int(y_lo), int(y_hi) + 1):
        y = sy(10.0**e)
        out.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="#ccc"/>'
        )
        out.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">1e{e}</text>')
    out.append(
        f'<text x="{width / 2}" y="{height - 12}" text-anchor="middle">'
        "FPIR: share of never-enrolled people named (log)</text>"
    )
    out.append(
        f'<text transform="translate(16,{height / 2}) rotate(-90)" '
        'text-anchor="middle">FNIR: enrolled people not named (log)</text>'
    )
    out.append(
        f'<path d="{_svg_path(estimated, sx, sy)}" fill="none" stroke="black" stroke-width="2"/>'
    )
    out.append(
        f'<path d="{_svg_path(measured, sx, sy)}" fill="none" stroke="black" '
        'stroke-width="1.5" stroke-dasharray="6 4"/>'
    )
    for f, n in measured[::3]:
        out.append(f'<circle cx="{sx(f):.1f}" cy="{sy(n):.1f}" r="3" fill="white" stroke="black"/>')
    for i, p in enumerate(report["points"]):
        x, y = sx(p["measured_fpir"]), sy(p["measured_fnir"])
        out.append(f'<rect x="{x - 5:.1f}" y="{y - 5:.1f}" width="10" height="10" fill="black"/>')
        out.append(
            f'<line x1="{sx(p["declared_fpir"]):.1f}" y1="{top}" '
            f'x2="{sx(p["declared_fpir"]):.1f}" y2="{height - bottom}" stroke="black" '
            'stroke-dasharray="1 3"/>'
        )
        out.append(f'<text x="{x + 7:.1f}" y="{y - 7:.1f}" font-weight="bold">{i + 1}</text>')
        out.append(
            f'<text x="{width - right - 6}" y="{height - bottom - 100 + 16 * i}" text-anchor="end">'
            f"{i + 1}: declared {p['declared_fpir']:g}, t={p['threshold']:.3f}, "
            f"m={p['margin']:.3f}{'' if p['usable'] else ' (gate: refused)'}</text>"
        )
    lx, ly = left + 10, height - bottom - 50
    out.append(
        f'<line x1="{lx}" y1="{ly}" x2="{lx + 30}" y2="{ly}" stroke="black" stroke-width="2"/>'
    )
    out.append(f'<text x="{lx + 36}" y="{ly + 4}">estimated by calibrate()</text>')
    out.append(
        f'<line x1="{lx}" y1="{ly + 18}" x2="{lx + 30}" y2="{ly + 18}" stroke="black" '
        'stroke-dasharray="6 4"/>'
    )
    out.append(f'<circle cx="{lx + 15}" cy="{ly + 18}" r="3" fill="white" stroke="black"/>')
    out.append(f'<text x="{lx + 36}" y="{ly + 22}">measured on unseen probes</text>')
    out.append(f'<rect x="{lx + 10}" y="{ly + 31}" width="10" height="10" fill="black"/>')
    out.append(f'<text x="{lx + 36}" y="{ly + 40}">operating points (dotted: declared)</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def saved_reports() -> list[dict]:
    reports = [json.loads(p.read_text()) for p in RESULTS.glob("accuracy-*.json")]
    return sorted(reports, key=lambda r: (r["size"], r["kind"]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--kinds", nargs="+", default=["manifold", "isotropic"])
    parser.add_argument("--fpirs", type=float, nargs="+", default=[1e-3, 1e-4])
    parser.add_argument("--strangers", type=int, default=200_000)
    parser.add_argument("--mated", type=int, default=5000)
    parser.add_argument("--sample", type=int, default=20_000, help="calibrate(sample=...)")
    parser.add_argument("--connectivity", type=int, default=IndexConfig.connectivity)
    parser.add_argument("--expansion-add", type=int, default=IndexConfig.expansion_add)
    parser.add_argument("--real", action="store_true", help="also report tests/faces photos")
    parser.add_argument(
        "--charts", action="store_true", help="only redraw the table and charts from results"
    )
    args = parser.parse_args()
    if not args.charts:
        for size in args.sizes:
            for kind in args.kinds:
                report = run(kind, size, args)
                RESULTS.mkdir(parents=True, exist_ok=True)
                (RESULTS / f"accuracy-{kind}-{size}.json").write_text(json.dumps(report))
    if args.real:
        print(json.dumps(real_photos(), indent=1))
    # Every size measured so far, so separate runs (the 1M one last) end in one table.
    reports = saved_reports()
    CHARTS.mkdir(parents=True, exist_ok=True)
    for report in reports:
        chart = CHARTS / f"det-{report['kind']}-{report['size']}.svg"
        chart.write_text(det_svg(report))
    print(table(reports))


if __name__ == "__main__":
    main()
