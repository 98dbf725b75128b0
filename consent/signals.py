"""Extension points other apps subscribe to. Consent never imports them (layering).

Consent transitions are not signals: each records one outbox event in its own transaction
(consent.services.history), and subscribers are named in settings.OUTBOX_SUBSCRIBERS.
"""

from django.dispatch import Signal

# kwargs: data_request (the new row), actor. Sent INSIDE the filing transaction: the dsr app sets
# the deadline, the identity state and the duplicate link on the same commit, so no request is
# ever visible without its deadline (R50).
data_request_filed = Signal()
