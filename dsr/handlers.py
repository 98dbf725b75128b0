"""Receivers of lower apps' signals. Plumbing: each calls one service and nothing else."""

from dsr.services.workflow import dsr_request_intake


def on_data_request_filed(sender, *, data_request, actor, **kwargs):
    # Sent inside the filing transaction: deadline, identity and duplicate link commit with it.
    dsr_request_intake(data_request=data_request, actor=actor)
