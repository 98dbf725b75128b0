"""The sealer grows each organization's Merkle tree and signs checkpoints of it (issue 16)."""

import json

import pytest
from django.db import connection

from audit import merkle
from audit.actors import Actor
from audit.models import AuditChainHead, AuditCheckpoint, AuditEvent, AuditSeal, AuditTreeNode
from audit.notes import Verifier, open_checkpoint
from audit.offline import main as offline_main
from audit.offline import verify_export
from audit.services import audit_checkpoint, audit_record, audit_seal_pending, audit_verifier_key
from audit.services.exports import audit_export_bundle
from audit.services.tree import (
    sealed_entries,
    tree_consistency_proof,
    tree_inclusion_proof,
    tree_root,
)
from audit.signals import checkpoint_signed

pytestmark = pytest.mark.django_db


def _record(org, n, action="test.more"):
    return [
        audit_record(organization_id=org.pk, actor=Actor.system(), action=action, details={"i": i})
        for i in range(n)
    ]


def test_tree_root_is_the_hash_of_the_sealed_entries_in_seq_order(chain, world):
    head = AuditChainHead.objects.get(organization_id=world.org.pk)
    entries = sealed_entries(world.org.pk, 1, head.last_seq)
    assert head.tree_size == head.last_seq == 10
    expected = merkle.root_of(merkle.leaf_hash(entry.encode()) for _, _, entry in entries)
    assert tree_root(organization_id=world.org.pk, size=10) == expected
    assert json.loads(entries[0][2])[0] == chain[0].pk


def test_inclusion_and_consistency_proofs_verify_against_the_stored_tree(chain, world):
    _record(world.org, 7)
    audit_seal_pending()
    org = world.org.pk
    root = tree_root(organization_id=org, size=17)
    for seq, _, entry in sealed_entries(org, 1, 17):
        path = tree_inclusion_proof(organization_id=org, index=seq - 1, size=17)
        assert merkle.verify_inclusion(merkle.leaf_hash(entry.encode()), seq - 1, 17, path, root)
    for old in range(1, 18):
        proof = tree_consistency_proof(organization_id=org, old_size=old, new_size=17)
        old_root = tree_root(organization_id=org, size=old)
        assert merkle.verify_consistency(old, 17, old_root, root, proof)


def test_checkpoint_is_signed_appended_to_the_file_and_pushed_after_commit(
    world, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.AUDIT_CHECKPOINT_LOG = str(tmp_path / "checkpoints.jsonl")
    pushed = []

    def receiver(sender, organization_id, checkpoint_id, **kwargs):
        pushed.append((organization_id, checkpoint_id))

    checkpoint_signed.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            _record(world.org, 3)
            audit_seal_pending(organization_id=world.org.pk)
    finally:
        checkpoint_signed.disconnect(receiver)
    checkpoint = AuditCheckpoint.objects.get(organization_id=world.org.pk)
    assert checkpoint.tree_size == 3
    body = open_checkpoint(Verifier.parse(audit_verifier_key()), checkpoint.note)
    assert body.root == tree_root(organization_id=world.org.pk, size=3)
    assert body.origin.endswith(f"/audit/{world.org.pk}")
    lines = (tmp_path / "checkpoints.jsonl").read_text().splitlines()
    assert [json.loads(line)["note"] for line in lines] == [checkpoint.note]
    assert pushed == [(world.org.pk, checkpoint.pk)]


def test_checkpoints_are_signed_at_most_every_interval_by_the_sealer(world, settings):
    settings.AUDIT_CHECKPOINT_SECONDS = 3600
    _record(world.org, 2)
    audit_seal_pending()
    _record(world.org, 2)
    audit_seal_pending()
    assert AuditCheckpoint.objects.filter(organization_id=world.org.pk).count() == 1
    # On demand (an export, a download) a checkpoint covers everything sealed.
    assert audit_checkpoint(organization_id=world.org.pk).tree_size == 4


@pytest.mark.skipif(connection.vendor != "postgresql", reason="removes nodes as an upgrade would")
def test_events_sealed_before_the_tree_existed_join_it_first(chain, world):
    # As an installation upgraded from the hash chain alone: a head with no tree yet.
    AuditChainHead.objects.filter(organization_id=world.org.pk).update(
        tree_size=0, tree_frontier=[]
    )
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
        cursor.execute("DELETE FROM audit_audittreenode WHERE organization_id = %s", [world.org.pk])
        cursor.execute("SET session_replication_role = DEFAULT")
    assert not AuditTreeNode.objects.filter(organization_id=world.org.pk).exists()
    _record(world.org, 1)
    audit_seal_pending()
    head = AuditChainHead.objects.get(organization_id=world.org.pk)
    assert head.tree_size == head.last_seq == 11
    entries = sealed_entries(world.org.pk, 1, 11)
    expected = merkle.root_of(merkle.leaf_hash(entry.encode()) for _, _, entry in entries)
    assert tree_root(organization_id=world.org.pk, size=11) == expected


def test_offline_verifier_accepts_an_untouched_log_and_an_earlier_checkpoint(
    chain, world, tmp_path
):
    earlier = audit_checkpoint(organization_id=world.org.pk).note
    _record(world.org, 5)
    bundle = audit_export_bundle(organization_id=world.org.pk, consistency_from=[10])
    assert bundle["tree_size"] == 15
    outcome = verify_export(bundle, audit_verifier_key(), [earlier])
    assert outcome.ok, outcome.problems
    # A partial export: two events, each with its inclusion proof, and the consistency proof.
    some = [chain[2].pk, chain[7].pk]
    partial = audit_export_bundle(
        organization_id=world.org.pk, event_ids=some, consistency_from=[10]
    )
    assert [event["event_id"] for event in partial["events"]] == some
    outcome = verify_export(partial, audit_verifier_key(), [earlier])
    assert outcome.ok, outcome.problems
    # The command line, from files, as a regulator runs it.
    (tmp_path / "export.json").write_text(json.dumps(bundle))
    (tmp_path / "key").write_text(audit_verifier_key())
    (tmp_path / "earlier.txt").write_text(earlier)
    argv = ["--export", str(tmp_path / "export.json"), "--key", str(tmp_path / "key")]
    assert offline_main([*argv, "--checkpoint", str(tmp_path / "earlier.txt")]) == 0


def test_export_of_the_log_is_recorded_as_one_event(chain, world):
    before = AuditSeal.objects.count()
    audit_export_bundle(organization_id=world.org.pk, actor=Actor.system("regulator"))
    audit_seal_pending()
    exported = AuditEvent.objects.filter(organization=world.org, action="audit.exported")
    assert exported.count() == 1
    assert AuditSeal.objects.count() == before + 1
