"""Check an audit export against signed checkpoints, with no database and no portal settings.

    python -m audit.offline --export export.json --key verifier.key \\
        [--checkpoint earlier-checkpoint.txt ...] [--max-seal-delay 300]

Needs only Python and the ``cryptography`` package (this file, ``audit/merkle.py`` and
``audit/notes.py``). It checks that:

1. the export's checkpoint is signed by the key given (the key comes from the verifier's own
   trusted copy, never from the export);
2. every exported event is in that checkpoint's tree: a complete export (leaves 0..n-1) must
   hash to its root; a partial one (a filing pack, an access package) carries an inclusion
   proof per event;
3. every earlier checkpoint given (one handed out before: from the checkpoint file, an e-mail
   digest, a download) is consistent with it: the tree only grew. A complete export is re-hashed
   to the earlier size; a partial one must carry a consistency proof from that size;
4. no event appended after an earlier checkpoint claims a time before that checkpoint was signed
   (allowing ``--max-seal-delay`` seconds for events still waiting for their seal).

Exit status 0 when everything holds, 1 with one line per problem otherwise. docs/audit.md gives
the procedure.
"""

import argparse
import json
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from audit import merkle
from audit.notes import NoteError, Verifier, open_checkpoint

EXPORT_FORMAT = "faceconsent-audit-export/1"


@dataclass
class Outcome:
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _unhex(values) -> list[bytes]:
    return [bytes.fromhex(value) for value in values]


def _created_at(entry: str) -> datetime | None:
    try:
        value = json.loads(entry)[2]
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    except (ValueError, IndexError, TypeError):
        return None


def verify_export(
    export: dict, verifier_key: str, earlier: list[str] = (), max_seal_delay: int = 300
) -> Outcome:
    """Return what holds and what does not for ``export`` against the key and earlier notes."""
    out = Outcome()
    if export.get("format") != EXPORT_FORMAT and isinstance(export.get("audit_proofs"), dict):
        # An access package or a filing pack's JSON: its proofs are in "audit_proofs".
        export = export["audit_proofs"]
    if export.get("format") != EXPORT_FORMAT:
        out.problems.append(f"not an audit export of format {EXPORT_FORMAT}")
        return out
    try:
        verifier = Verifier.parse(verifier_key)
        current = open_checkpoint(verifier, export["checkpoint"])
    except (NoteError, KeyError) as exc:
        out.problems.append(f"the export's checkpoint: {exc}")
        return out
    out.notes.append(f"checkpoint {current.origin} at size {current.size}, signed")
    events = export.get("events", [])
    leaves = {}
    for event in events:
        index, entry = event["index"], event["entry"]
        if not 0 <= index < current.size:
            out.problems.append(f"event at index {index} lies outside the tree of {current.size}")
            continue
        leaves[index] = merkle.leaf_hash(entry.encode())
    complete = current.size > 0 and sorted(leaves) == list(range(current.size))
    if complete:
        if merkle.root_of(leaves[i] for i in range(current.size)) != current.root:
            out.problems.append(
                f"the {current.size} exported events do not hash to the checkpoint's root: "
                "an event was changed, removed, inserted or reordered"
            )
        else:
            out.notes.append(f"all {current.size} events hash to the checkpoint's root")
    else:
        proofs = export.get("inclusion", {})
        for index, leaf in sorted(leaves.items()):
            path = proofs.get(str(index))
            if path is None or not merkle.verify_inclusion(
                leaf, index, current.size, _unhex(path), current.root
            ):
                out.problems.append(f"event at index {index} is not proven in the tree")
        if leaves and out.ok:
            out.notes.append(f"{len(leaves)} event(s) proven included in the checkpoint's tree")
    consistency = export.get("consistency", {})
    for note in earlier:
        _check_earlier(out, verifier, note, current, leaves, complete, consistency)
        _check_backdating(out, verifier, note, events, max_seal_delay)
    return out


def _check_earlier(out, verifier, note, current, leaves, complete, consistency) -> None:
    try:
        old = open_checkpoint(verifier, note)
    except NoteError as exc:
        out.problems.append(f"earlier checkpoint: {exc}")
        return
    if old.origin != current.origin:
        out.problems.append(f"earlier checkpoint is of another log ({old.origin})")
        return
    if old.size > current.size:
        out.problems.append(
            f"the log shrank: a checkpoint handed out earlier has {old.size} events, the export "
            f"{current.size}; history was cut or replaced"
        )
        return
    if complete:
        ok = merkle.root_of(leaves[i] for i in range(old.size)) == old.root
    elif str(old.size) in consistency:
        proof = _unhex(consistency[str(old.size)])
        ok = merkle.verify_consistency(old.size, current.size, old.root, current.root, proof)
    else:
        out.problems.append(
            f"cannot relate the earlier checkpoint of size {old.size}: the export is partial and "
            "carries no consistency proof from that size"
        )
        return
    if ok:
        out.notes.append(f"consistent with the earlier checkpoint of size {old.size}")
    else:
        out.problems.append(
            f"inconsistent with the earlier checkpoint of size {old.size}: the first {old.size} "
            "events are not those that checkpoint vouched for (history was rewritten)"
        )


def _check_backdating(out, verifier, note, events, max_seal_delay) -> None:
    try:
        old = open_checkpoint(verifier, note)
    except NoteError:
        return
    if not old.time:
        return
    signed_at = datetime.fromtimestamp(old.time, UTC)
    for event in events:
        if event["index"] < old.size:
            continue
        created = _created_at(event["entry"])
        if created is not None and (signed_at - created).total_seconds() > max_seal_delay:
            out.problems.append(
                f"event at index {event['index']} claims {created.isoformat()} but was appended "
                f"after the checkpoint of size {old.size} signed at {signed_at.isoformat()}: "
                "backdated (a forged insert)"
            )


def _read_key(value: str) -> str:
    path = Path(value)
    return path.read_text().strip() if path.exists() else value.strip()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--export", required=True, help="the audit export (JSON)")
    parser.add_argument("--key", required=True, help="verifier key, or a file holding it")
    parser.add_argument(
        "--checkpoint", action="append", default=[], help="an earlier signed checkpoint (file)"
    )
    parser.add_argument("--max-seal-delay", type=int, default=300)
    args = parser.parse_args(argv)
    export = json.loads(Path(args.export).read_text())
    earlier = [Path(path).read_text() for path in args.checkpoint]
    outcome = verify_export(export, _read_key(args.key), earlier, args.max_seal_delay)
    for line in outcome.notes:
        print(f"ok: {line}")
    for line in outcome.problems:
        print(f"FAIL: {line}")
    print("VERIFIED" if outcome.ok else "NOT VERIFIED")
    return 0 if outcome.ok else 1


if __name__ == "__main__":
    sys.exit(main())
