"""Roles and what each may do: the permission matrix, documented in docs/permissions.md.

The API and the pages ask ``allowed(role, permission)``; nothing else decides access.
"""

from __future__ import annotations

from enum import StrEnum

from callops.errors import PermissionDenied
from callops.records import Role

__all__ = ["Permission", "MATRIX", "allowed", "require"]


class Permission(StrEnum):
    VIEW_ALL_CALLS = "view_all_calls"  # without it a user sees only their own agent's calls
    VIEW_PII = "view_pii"  # caller numbers unmasked
    VIEW_REPORTS = "view_reports"
    IMPORT_DATA = "import_data"
    MANAGE_USERS = "manage_users"
    PLAN_WORKFORCE = "plan_workforce"
    RUN_SIMULATIONS = "run_simulations"
    EVALUATE_CALLS = "evaluate_calls"  # QA scoring
    MANAGE_QA = "manage_qa"  # scorecards, sampling rules
    HANDLE_APPEALS = "handle_appeals"  # team lead accepts, panel reviews
    DECIDE_APPEALS = "decide_appeals"  # supervisor's decision
    VIEW_AGENTS = "view_agents"
    SUPERVISE_FLOOR = "supervise_floor"  # set another agent's state on the live floor, the wallboard thresholds
    MANAGE_DIRECTORY = "manage_directory"  # teams, agents and skills, queues and targets, sites (/admin)
    VIEW_AUDIT = "view_audit"  # the administration audit log (/admin/audit)
    APPROVE_SHIFT_CHANGES = "approve_shift_changes"  # approve swaps and time off (a team lead: their teams only)
    WORK_TICKETS = "work_tickets"  # the service desk: an agent their own tickets, a lead their teams'
    VIEW_ALL_TICKETS = "view_all_tickets"  # every ticket, callback and complaint report
    EDIT_SCRIPTS = "edit_scripts"  # the desk's knowledge scripts (admin, manager, QA)


_P = Permission
MATRIX: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(Permission),
    Role.MANAGER: frozenset({_P.VIEW_ALL_CALLS, _P.VIEW_PII, _P.VIEW_REPORTS, _P.PLAN_WORKFORCE,
                             _P.RUN_SIMULATIONS, _P.MANAGE_QA, _P.HANDLE_APPEALS, _P.DECIDE_APPEALS,
                             _P.VIEW_AGENTS, _P.IMPORT_DATA, _P.SUPERVISE_FLOOR, _P.MANAGE_DIRECTORY,
                             _P.VIEW_AUDIT, _P.APPROVE_SHIFT_CHANGES}),
    Role.PLANNER: frozenset({_P.VIEW_ALL_CALLS, _P.VIEW_REPORTS, _P.PLAN_WORKFORCE, _P.RUN_SIMULATIONS,
                             _P.VIEW_AGENTS, _P.IMPORT_DATA, _P.APPROVE_SHIFT_CHANGES}),
    Role.QA: frozenset({_P.VIEW_ALL_CALLS, _P.VIEW_REPORTS, _P.EVALUATE_CALLS, _P.HANDLE_APPEALS,
                        _P.VIEW_AGENTS}),
    Role.TEAM_LEAD: frozenset({_P.VIEW_ALL_CALLS, _P.VIEW_REPORTS, _P.HANDLE_APPEALS, _P.VIEW_AGENTS,
                               _P.SUPERVISE_FLOOR, _P.APPROVE_SHIFT_CHANGES}),
    Role.AGENT: frozenset(),
}


# The service desk (issue 16): agents work their own tickets, leads their teams', managers every ticket.
for _role in (Role.MANAGER, Role.TEAM_LEAD, Role.AGENT):
    MATRIX[_role] = MATRIX[_role] | {_P.WORK_TICKETS}
MATRIX[Role.MANAGER] = MATRIX[Role.MANAGER] | {_P.VIEW_ALL_TICKETS}
for _role in (Role.MANAGER, Role.QA):
    MATRIX[_role] = MATRIX[_role] | {_P.EDIT_SCRIPTS}


def allowed(role: Role, permission: Permission) -> bool:
    return permission in MATRIX[role]


def require(role: Role, permission: Permission) -> None:
    if not allowed(role, permission):
        raise PermissionDenied(f"the {role.value} role lacks the right {permission.value}")
