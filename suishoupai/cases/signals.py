from django.dispatch import Signal

# Sent inside the transition's transaction, right after a CaseEvent row is written, for
# listeners whose writes must commit or roll back with the event (statistics rollups).
# kwargs: event (CaseEvent)
event_recorded = Signal()
# Sent once the transaction has committed, for side effects (notifications, photo work).
# kwargs: event (CaseEvent)
event_committed = Signal()
