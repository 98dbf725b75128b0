"""Plumbing for higher apps: the audit app tells them, it never calls them."""

from django.dispatch import Signal

# Sent after commit with organization_id and checkpoint_id, once a checkpoint is signed: a
# higher app pushes it to the organization (portal e-mails a digest).
checkpoint_signed = Signal()
