"""Disposition codes a call ends with: what the summarizer predicts and the operator confirms, and what the
indicators and manager reports count. One list, so a code one side writes is a code the other side reads."""

APPLICATION_STARTED = "APPLICATION_STARTED"
APPLICATION_SUBMITTED = "APPLICATION_SUBMITTED"
LOAN_BOOKED = "LOAN_BOOKED"
PROMISE_TO_PAY = "PROMISE_TO_PAY"
WRONG_PARTY = "WRONG_PARTY"
NO_CONTACT = "NO_CONTACT"
RESOLVED = "RESOLVED"

# A sales call that took an application, whether or not it was submitted or booked on the call.
APPLIED = frozenset({APPLICATION_STARTED, APPLICATION_SUBMITTED, LOAN_BOOKED})
NO_RIGHT_PARTY = frozenset({WRONG_PARTY, NO_CONTACT})
