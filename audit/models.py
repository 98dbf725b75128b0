"""The audit trail: append-only events, sealed later into a per-organization hash chain.

Writers only INSERT an event and a pending marker, so concurrent requests never wait on one
another; a sealer assigns sequence numbers and hashes in small batches (as transparency logs
such as Trillian do). On PostgreSQL triggers refuse UPDATE and DELETE on events and seals.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.querysets import AuditEventQuerySet

GENESIS_HASH = "0" * 64


class AuditEvent(models.Model):
    """One state change or one read of personal data. Never images, templates or secrets."""

    class ActorType(models.TextChoices):
        USER = "user", _("User")
        API_KEY = "api_key", _("API key")
        SYSTEM = "system", _("System")
        SUBJECT = "subject", _("Data subject")

    # No index of its own: the composite indexes below all lead with the organization, and every
    # index costs each append.
    organization = models.ForeignKey(
        "tenants.Organization", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    created_at = models.DateTimeField(default=timezone.now)
    actor_type = models.CharField(max_length=10, choices=ActorType)
    actor_id = models.CharField(max_length=64, blank=True)
    actor_label = models.CharField(max_length=200, blank=True)
    action = models.CharField(max_length=100)
    target_type = models.CharField(max_length=60, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    subject_pseudonym = models.CharField(max_length=64, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    details = models.JSONField(default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        permissions = [("verify_chain", "Verify the audit hash chain")]
        indexes = [
            # The log viewer and API list an organization's events newest first.
            models.Index(fields=["organization", "-id"], name="audit_org_id"),
            # Filters by action and by subject (the data-subject export reads all of one person's).
            models.Index(fields=["organization", "action"], name="audit_org_action"),
            models.Index(fields=["organization", "subject_pseudonym"], name="audit_org_subject"),
        ]

    def __str__(self) -> str:
        return f"{self.action} #{self.pk}"


class AuditPending(models.Model):
    """An event not yet sealed. Inserted with the event, deleted once it is sealed."""

    event = models.OneToOneField(
        AuditEvent, on_delete=models.PROTECT, primary_key=True, related_name="+"
    )
    # Unindexed on purpose: the queue stays small, and the sealer scans it in event id order.
    organization_id_copy = models.BigIntegerField()

    def __str__(self) -> str:
        return f"pending #{self.event_id}"


class AuditSeal(models.Model):
    """An event's place in its organization's chain: ``hash = H(prev_hash, seq, content)``."""

    event = models.OneToOneField(
        AuditEvent, on_delete=models.PROTECT, primary_key=True, related_name="seal"
    )
    # Indexed through the (organization, seq) constraint.
    organization = models.ForeignKey(
        "tenants.Organization", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    seq = models.BigIntegerField()
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)
    sealed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            # Verification walks one organization's chain in seq order.
            models.UniqueConstraint(fields=["organization", "seq"], name="audit_seal_org_seq")
        ]

    def __str__(self) -> str:
        return f"seal {self.seq} of #{self.event_id}"


class AuditChainHead(models.Model):
    """The tip of an organization's chain, and the anchor left by a retention purge.

    The row is the sealer's lock: one sealer per organization at a time, others skip.
    """

    organization = models.OneToOneField(
        "tenants.Organization", on_delete=models.PROTECT, primary_key=True, related_name="+"
    )
    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default=GENESIS_HASH)
    # After a purge the chain starts after anchor_seq, whose hash was anchor_hash.
    anchor_seq = models.BigIntegerField(default=0)
    anchor_hash = models.CharField(max_length=64, default=GENESIS_HASH)
    verified_at = models.DateTimeField(null=True, blank=True)
    verified_ok = models.BooleanField(null=True)
    verified_through_seq = models.BigIntegerField(default=0)
    verified_message = models.CharField(max_length=300, blank=True)
    # The Merkle tree over the chain (leaf i is seq i + 1): its size and its frontier, the
    # hashes of the complete subtrees that make up [0, tree_size), hex, highest level first.
    tree_size = models.BigIntegerField(default=0)
    tree_frontier = models.JSONField(default=list, blank=True)
    checkpoint_size = models.BigIntegerField(default=0)
    checkpoint_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"chain head {self.last_seq} of org {self.organization_id}"


class AuditTreeNode(models.Model):
    """One complete subtree of an organization's Merkle tree: 2**level leaves from position.

    Every complete node is stored once, when the sealer completes it, so an inclusion or a
    consistency proof reads a few dozen rows by primary key however large the tree grows.
    Never purged: proofs keep working across a retention purge of the events beneath.
    """

    organization = models.ForeignKey(
        "tenants.Organization", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    level = models.SmallIntegerField()
    position = models.BigIntegerField()
    hash = models.BinaryField(max_length=32)

    class Meta:
        constraints = [
            # Proofs fetch nodes by (organization, level, position).
            models.UniqueConstraint(
                fields=["organization", "level", "position"], name="audit_tree_node_key"
            )
        ]

    def __str__(self) -> str:
        return f"node {self.level}/{self.position} of org {self.organization_id}"


class AuditCheckpoint(models.Model):
    """A signed checkpoint (C2SP tlog-checkpoint) of an organization's tree, as handed out.

    The note is also appended to AUDIT_CHECKPOINT_LOG outside the database and pushed to the
    organization; a copy here serves downloads. The signing key is never stored.
    """

    organization = models.ForeignKey(
        "tenants.Organization", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    tree_size = models.BigIntegerField()
    root_hash = models.CharField(max_length=64)
    note = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            # The latest checkpoint of an organization, and the one at a given size.
            models.Index(fields=["organization", "-tree_size"], name="audit_checkpoint_org_size"),
        ]

    def __str__(self) -> str:
        return f"checkpoint {self.tree_size} of org {self.organization_id}"
