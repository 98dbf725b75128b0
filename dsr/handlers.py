"""Receivers of lower apps' signals. Plumbing: each calls one service and nothing else."""

from dsr.services.correction import dsr_correction_reenrollment_record


def on_enrollment_finished(sender, *, enrollment, replaced, actor, **kwargs):
    # Sent inside the enrollment's finishing transaction: a correction request records its
    # re-enrollment's outcome (a failure kept the old templates) on the same commit.
    dsr_correction_reenrollment_record(enrollment=enrollment, replaced=replaced, actor=actor)
