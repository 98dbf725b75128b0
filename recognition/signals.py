"""Extension points other apps subscribe to. Recognition never imports them (layering).

``enrollment_finished`` is sent INSIDE the transaction that records the outcome: a receiver's
record (the correction request noting its re-enrollment) commits with it or not at all.
"""

from django.dispatch import Signal

# kwargs: enrollment (succeeded or failed), replaced (public ids of the templates deleted in
# the same transaction, for a re-enrollment), actor. The dsr app records a correction's
# re-enrollment outcome on its request (PIPL Art. 46).
enrollment_finished = Signal()
