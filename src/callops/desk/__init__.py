"""The service desk (issue 16), pure: ticket states and moves, categories and priorities, the ticket import
file, business-hours SLAs, complaint escalation, callbacks and first-contact resolution from tickets.

No I/O: the store (``callops.store.desk``) persists, the services (``callops.services.desk``) orchestrate.
"""

from callops.desk.calendar import DAY_NAMES, BusinessCalendar
from callops.desk.callbacks import (
    MAX_ATTEMPTS,
    AttemptOutcome,
    CallbackSource,
    CallbackStatus,
    MissedCall,
    PlannedCallback,
    after_attempt,
    is_overdue,
    plan_missed_callbacks,
)
from callops.desk.escalation import NOTIFIED, Escalation, EscalationReason, EscalationRules, assess
from callops.desk.sla import Due, SlaPolicy, SlaTarget
from callops.desk.ticket_csv import MAX_TICKET_ROWS, TICKET_COLUMNS, TicketRow, read_tickets_csv
from callops.desk.tickets import (
    OPEN_STATES,
    TRANSITIONS,
    Category,
    Priority,
    TicketState,
    TransitionError,
    allowed_targets,
    check_transition,
    is_reopen,
    parse_choice,
)

__all__ = ["MAX_TICKET_ROWS", "TICKET_COLUMNS", "TicketRow", "read_tickets_csv", "OPEN_STATES", "TRANSITIONS",
           "Category", "Priority", "TicketState", "TransitionError", "allowed_targets", "check_transition",
           "is_reopen", "parse_choice", "DAY_NAMES", "BusinessCalendar", "NOTIFIED", "Escalation",
           "EscalationReason", "EscalationRules", "assess", "Due", "SlaPolicy", "SlaTarget", "MAX_ATTEMPTS",
           "AttemptOutcome", "CallbackSource", "CallbackStatus", "MissedCall", "PlannedCallback", "after_attempt",
           "is_overdue", "plan_missed_callbacks"]
