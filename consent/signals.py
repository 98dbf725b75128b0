"""Extension points other apps subscribe to. Consent never imports them (layering).

Both are sent after the transaction commits, so a receiver never sees a state that was
rolled back, and a receiver's failure cannot undo the withdrawal.
"""

from django.dispatch import Signal

# kwargs: organization_id, subject_id (the pseudonym UUID), consent_id, purpose_version_id,
# purpose_id, actor. Recognition subscribes with its purge service (PIPL Art. 47, R13, R22).
consent_withdrawn = Signal()

# kwargs: the same, plus from_state and to_state: re-consent required, expired, restricted,
# and back to active on restore. Recognition stops using the consent while it is not active.
consent_state_changed = Signal()

# kwargs: data_request (the new row), actor. Unlike the two above it is sent INSIDE the filing
# transaction: the dsr app sets the deadline, the identity state and the duplicate link on the
# same commit, so no request is ever visible without its deadline (R50).
data_request_filed = Signal()
