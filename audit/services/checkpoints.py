"""Signing checkpoints of each organization's tree and handing them out beyond the database.

The signing key comes from the environment (AUDIT_SIGNING_KEY; generated into var/ only in a
demo or a test) and never reaches the database, so whoever can rewrite the database cannot sign
a tree that disagrees with a checkpoint already handed out. Each checkpoint is also appended to
AUDIT_CHECKPOINT_LOG, a file outside the database, and pushed to the organization (the
``checkpoint_signed`` signal, after commit).
"""

import base64
import json
import logging
import os
from datetime import timedelta
from functools import cache
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from audit import merkle
from audit.models import AuditChainHead, AuditCheckpoint
from audit.notes import Checkpoint, Signer, sign_checkpoint
from audit.services.tree import frontier_of, tree_consistency_proof
from audit.signals import checkpoint_signed

log = logging.getLogger(__name__)


class CheckpointRefused(RuntimeError):
    """The tree no longer extends the last checkpoint signed: it was rewritten or truncated."""


@cache
def _signer(seed_b64: str, name: str) -> Signer:
    seed = base64.urlsafe_b64decode(seed_b64 + "=" * (-len(seed_b64) % 4))
    return Signer.from_seed(name, seed)


def audit_signer() -> Signer:
    """Return the site's checkpoint signer (AUDIT_SIGNING_KEY, AUDIT_SIGNING_KEY_NAME)."""
    return _signer(settings.AUDIT_SIGNING_KEY, settings.AUDIT_SIGNING_KEY_NAME)


def audit_verifier_key() -> str:
    """Return the public verifier key in the signed-note format, for anyone to check against."""
    return audit_signer().verifier_key


def audit_origin(organization_id: int) -> str:
    """Return the checkpoint origin (the log's name) of an organization's tree."""
    return f"{settings.AUDIT_LOG_ORIGIN}/{organization_id}"


def checkpoint_due(head: AuditChainHead) -> bool:
    """Return True when the head's tree grew since its last checkpoint and one is due."""
    if head.tree_size <= head.checkpoint_size and head.checkpoint_at is not None:
        return False
    interval = settings.AUDIT_CHECKPOINT_SECONDS
    return head.checkpoint_at is None or (
        timezone.now() - head.checkpoint_at >= timedelta(seconds=interval)
    )


def checkpoint_sign(head: AuditChainHead) -> AuditCheckpoint:
    """Sign the head's current tree, in the caller's transaction with the head row locked.

    Raise CheckpointRefused when the tree does not extend the last checkpoint signed (a
    rewritten or cut history): the signer never vouches for it.
    """
    org_id = head.organization_id
    root = frontier_of(head).root()
    previous = AuditCheckpoint.objects.filter(organization_id=org_id).order_by("-tree_size").first()
    if previous is not None:
        _check_extends(head, previous, root)
    now = timezone.now()
    body = Checkpoint(audit_origin(org_id), head.tree_size, root, int(now.timestamp()))
    note = sign_checkpoint(audit_signer(), body)
    checkpoint = AuditCheckpoint.objects.create(
        organization_id=org_id,
        tree_size=head.tree_size,
        root_hash=root.hex(),
        note=note,
        created_at=now,
    )
    head.checkpoint_size, head.checkpoint_at = head.tree_size, now
    AuditChainHead.objects.filter(pk=org_id).update(
        checkpoint_size=head.tree_size, checkpoint_at=now
    )
    # Only once committed: a checkpoint handed out for a tree that was rolled back would read
    # as tampering later.
    transaction.on_commit(lambda: _hand_out(org_id, checkpoint.pk, note))
    return checkpoint


def _check_extends(head: AuditChainHead, previous: AuditCheckpoint, root: bytes) -> None:
    old_root = bytes.fromhex(previous.root_hash)
    ok = previous.tree_size <= head.tree_size
    if ok and previous.tree_size:
        try:
            proof = tree_consistency_proof(
                organization_id=head.organization_id,
                old_size=previous.tree_size,
                new_size=head.tree_size,
            )
        except LookupError:
            ok = False
        else:
            ok = merkle.verify_consistency(
                previous.tree_size, head.tree_size, old_root, root, proof
            )
    if not ok:
        log.error(
            "audit tree of organization %s does not extend checkpoint %s (size %s): not signed",
            head.organization_id,
            previous.pk,
            previous.tree_size,
        )
        raise CheckpointRefused(
            f"the tree of organization {head.organization_id} at size {head.tree_size} does not "
            f"extend the checkpoint signed at size {previous.tree_size}"
        )


def _hand_out(organization_id: int, checkpoint_id: int, note: str) -> None:
    path = Path(settings.AUDIT_CHECKPOINT_LOG)
    path.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps({"organization_id": organization_id, "note": note}) + "\n"
    # One write in append mode: lines from several processes never interleave.
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        os.write(fd, line.encode())
    finally:
        os.close(fd)
    checkpoint_signed.send(
        sender=AuditCheckpoint, organization_id=organization_id, checkpoint_id=checkpoint_id
    )


def audit_checkpoint(*, organization_id: int) -> AuditCheckpoint | None:
    """Return a checkpoint of the organization's whole sealed tree, signing one if it grew.

    Return None for an organization with nothing sealed yet.
    """
    with transaction.atomic():
        head = (
            AuditChainHead.objects.select_for_update()
            .filter(organization_id=organization_id)
            .first()
        )
        if head is None or head.tree_size == 0:
            return None
        if head.tree_size > head.checkpoint_size or head.checkpoint_at is None:
            return checkpoint_sign(head)
    return audit_latest_checkpoint(organization_id=organization_id)


def audit_checkpoint_due() -> int:
    """Sign a checkpoint for every organization whose tree grew and whose interval passed."""
    signed = 0
    grown = AuditChainHead.objects.filter(tree_size__gt=F("checkpoint_size"))
    for org_id in grown.values_list("organization_id", flat=True):
        with transaction.atomic():
            head = (
                AuditChainHead.objects.select_for_update(skip_locked=True)
                .filter(organization_id=org_id)
                .first()
            )
            if head is None or not checkpoint_due(head):
                continue
            try:
                checkpoint_sign(head)
            except CheckpointRefused:
                continue
            signed += 1
    return signed


def audit_latest_checkpoint(*, organization_id: int) -> AuditCheckpoint | None:
    """Return the organization's most recent checkpoint."""
    return (
        AuditCheckpoint.objects.filter(organization_id=organization_id)
        .order_by("-tree_size", "-id")
        .first()
    )
