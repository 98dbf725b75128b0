"""Receivers of other apps' signals. Plumbing: each calls one service and nothing else."""

from consent.services.transitions import consents_require_reconsent


def on_purpose_version_superseded(
    sender, *, organization_id, old_version_ids, new_version_id, actor, **kwargs
):
    # PIPL Art. 14 (R11): a material change needs new consent; the old ones stop counting.
    consents_require_reconsent(
        organization_id=organization_id,
        old_version_ids=old_version_ids,
        actor=actor,
        reason=f"purpose changed (new version {new_version_id})",
    )
