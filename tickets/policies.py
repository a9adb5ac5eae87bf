"""Who may see tickets and act on them (API.md, "Who may act").

Visibility follows the office: staff see every ticket of the offices they belong to
(company-wide roles: every office). Within that, actions follow the role table.
"""

from django.db.models import QuerySet

from org.models import Role, User
from org.policies import is_company_wide, scope_by_office
from tickets.models import Kind, Status, Ticket

FRONT_DESK = (Role.HOTLINE_AGENT, Role.RECEPTIONIST)
# API.md's role table: the front desk logs contacts; supervisors, managers and admins
# may do every action. Department staff and quality pass what they hear to the desk.
CREATORS = (*FRONT_DESK, Role.SUPERVISOR, Role.OFFICE_MANAGER, Role.COMPANY_ADMIN)


def visible(user: User, qs: QuerySet) -> QuerySet:
    if qs.model is Ticket:
        if is_company_wide(user):
            # Every office of the company: one condition the (company, …) indexes serve.
            return qs.filter(company_id=user.company_id)
        return scope_by_office(user, qs, "office_id")
    return scope_by_office(user, qs, "ticket__office_id")


def _department_ids(user: User) -> set[int]:
    # Cached on the user object, which lives for one request.
    cached = getattr(user, "_department_ids_cache", None)
    if cached is None:
        cached = set(user.departments.values_list("id", flat=True))
        user._department_ids_cache = cached
    return cached


def member_of_department(user: User, department_id: int | None) -> bool:
    return department_id is not None and department_id in _department_ids(user)


def _supervises(user: User, department_id: int | None) -> bool:
    return user.has_role(Role.SUPERVISOR) and member_of_department(user, department_id)


def can(
    user: User,
    action: str,
    ticket: Ticket | None = None,
    *,
    department_id: int | None = None,
    assignee_id: int | None = None,
    self_take: bool = False,
) -> bool:
    """May `user` do `action` to a ticket they can see?

    For `assign`, `department_id`/`assignee_id` are the target; `self_take` says the
    ticket's category lets department staff take open work (抢单).
    """
    if not user.is_authenticated or user.company_id is None:
        return False
    if action == "create":
        return user.has_role(*CREATORS)
    if ticket is None:
        return False
    if user.has_role(Role.COMPANY_ADMIN, Role.OFFICE_MANAGER):
        return True
    if user.has_role(Role.SUPERVISOR) and _supervisor_may(user, ticket):
        return True
    if user.has_role(Role.STAFF) and _staff_may(
        user, action, ticket, department_id, assignee_id, self_take
    ):
        return True
    if user.has_role(*FRONT_DESK) and _front_desk_may(action, ticket, assignee_id):
        return True
    return user.has_role(Role.QUALITY) and action in {"comment", "reopen", "rate"}


def _supervisor_may(user: User, ticket: Ticket) -> bool:
    # Every action on the office's new tickets and on their departments' tickets,
    # handing them over to another department included (转派).
    return ticket.status == Status.NEW or _supervises(user, ticket.department_id)


def _staff_may(
    user: User,
    action: str,
    ticket: Ticket,
    department_id: int | None,
    assignee_id: int | None,
    self_take: bool,
) -> bool:
    if ticket.assignee_id == user.id and action in {
        "start",
        "promise",
        "resolve",
        "comment",
        "reply_rating",
    }:
        return True
    return (
        action == "assign"
        and self_take
        and assignee_id == user.id
        and ticket.assignee_id is None
        and member_of_department(user, department_id)
    )


def _front_desk_may(action: str, ticket: Ticket, assignee_id: int | None) -> bool:
    if action in {"comment", "rate", "set_consent"}:
        return True
    if action == "assign":
        return assignee_id is None  # a hand-over to the department's supervisor
    return action == "resolve" and ticket.status == Status.NEW and ticket.kind == Kind.INQUIRY
