"""Signals governance sends for the apps above it. Plumbing only: no business rule hangs here.

``purpose_version_superseded`` is sent after commit when a material change gives a purpose a new
version (PIPL Art. 14, R11). Keyword arguments: ``organization_id``, ``old_version_ids`` (list of
ints), ``new_version_id`` and ``actor`` (audit.actors.Actor). The consent app moves consents given
to the old versions to "re-consent required".
"""

from django.dispatch import Signal

purpose_version_superseded = Signal()
