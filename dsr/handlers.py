"""Receivers of lower apps' signals. Plumbing: each calls one service and nothing else."""

from dsr.services.correction import dsr_correction_reenrollment_record
from dsr.services.workflow import dsr_request_intake


def on_data_request_filed(sender, *, data_request, actor, **kwargs):
    # Sent inside the filing transaction: deadline, identity and duplicate link commit with it.
    dsr_request_intake(data_request=data_request, actor=actor)


def on_enrollment_finished(sender, *, enrollment, replaced, actor, **kwargs):
    # Sent inside the enrollment's finishing transaction: a correction request records its
    # re-enrollment's outcome (a failure kept the old templates) on the same commit.
    dsr_correction_reenrollment_record(enrollment=enrollment, replaced=replaced, actor=actor)
