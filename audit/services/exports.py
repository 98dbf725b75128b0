"""Exports that a verifier checks offline (``audit.offline``): entries, checkpoint, proofs.

An export carries each event's canonical entry (the exact bytes its leaf hashes), its index in
the organization's tree, the latest signed checkpoint, and, when it holds only some events, an
inclusion proof for each. Consistency proofs from earlier tree sizes are added on request, so a
holder of an older checkpoint can check that history was only appended to.
"""

from collections.abc import Iterable

from audit.actors import Actor
from audit.models import AuditSeal
from audit.offline import EXPORT_FORMAT
from audit.services.checkpoints import audit_checkpoint, audit_origin, audit_verifier_key
from audit.services.recording import audit_record
from audit.services.sealing import audit_seal_pending
from audit.services.tree import (
    sealed_entries,
    sealed_entries_at,
    tree_consistency_proof,
    tree_inclusion_proofs,
)

_CHUNK = 20_000


def audit_export_bundle(
    *,
    organization_id: int,
    event_ids: Iterable[int] | None = None,
    consistency_from: Iterable[int] = (),
    actor: Actor | None = None,
    purpose: str = "",
) -> dict:
    """Return a verifiable export of the organization's log, or of the given events only.

    Seals what is pending and signs a checkpoint first, so the export covers every event written
    so far. Events not sealed (written meanwhile) are left out. With ``actor`` the export is
    recorded as one ``audit.exported`` event (R31: reads of the log are audited).
    """
    audit_seal_pending(organization_id=organization_id)
    checkpoint = audit_checkpoint(organization_id=organization_id)
    size = checkpoint.tree_size if checkpoint else 0
    bundle = {
        "format": EXPORT_FORMAT,
        "origin": audit_origin(organization_id),
        "verifier_key": audit_verifier_key(),
        "checkpoint": checkpoint.note if checkpoint else "",
        "tree_size": size,
        "events": [],
    }
    if event_ids is None:
        for first in range(1, size + 1, _CHUNK):
            last = min(size, first + _CHUNK - 1)
            bundle["events"].extend(
                {"index": seq - 1, "event_id": event_id, "entry": entry}
                for seq, event_id, entry in sealed_entries(organization_id, first, last)
            )
    else:
        seqs = sorted(
            AuditSeal.objects.filter(
                organization_id=organization_id, event_id__in=list(event_ids), seq__lte=size
            ).values_list("seq", flat=True)
        )
        rows = sealed_entries_at(organization_id, seqs)
        paths = tree_inclusion_proofs(
            organization_id=organization_id, indexes=[seq - 1 for seq, _, _ in rows], size=size
        )
        bundle["events"] = [
            {"index": seq - 1, "event_id": event_id, "entry": entry}
            for seq, event_id, entry in rows
        ]
        bundle["inclusion"] = {
            str(seq - 1): [node.hex() for node in path]
            for (seq, _, _), path in zip(rows, paths, strict=True)
        }
    bundle["consistency"] = {
        str(old): [
            node.hex()
            for node in tree_consistency_proof(
                organization_id=organization_id, old_size=old, new_size=size
            )
        ]
        for old in consistency_from
        if 0 < old <= size
    }
    if actor is not None:
        audit_record(
            organization_id=organization_id,
            actor=actor,
            action="audit.exported",
            details={
                "format": EXPORT_FORMAT,
                "events": len(bundle["events"]),
                "tree_size": size,
                "purpose": purpose,
            },
        )
    return bundle
