"""Who may see and record return visits (API.md: "A visit may be recorded by its
assignee, a supervisor or the quality role of the office, or the office manager")."""

from django.db.models import QuerySet

from org.models import Role, User
from org.policies import scope_by_office
from visits.models import ReturnVisit, VisitRule

RECORDERS = (Role.SUPERVISOR, Role.QUALITY, Role.OFFICE_MANAGER, Role.COMPANY_ADMIN)
PLANNERS = (Role.SUPERVISOR, Role.OFFICE_MANAGER, Role.COMPANY_ADMIN, Role.QUALITY)


def visible(user: User, qs: QuerySet) -> QuerySet:
    if qs.model is ReturnVisit:
        return scope_by_office(user, qs, "office_id")
    if qs.model is VisitRule:
        return qs.filter(company_id=user.company_id) if user.company_id else qs.none()
    return scope_by_office(user, qs, "visit__office_id")


def can(user: User, action: str, visit: ReturnVisit | None = None) -> bool:
    """Actions: record (also correct and send a signature code), assign, plan (a routine
    visit), manage_rules. `visit` is assumed visible."""
    if not user.is_authenticated or user.company_id is None:
        return False
    if action == "record":
        return visit is not None and (visit.assignee_id == user.id or user.has_role(*RECORDERS))
    if action == "assign":
        return user.has_role(Role.SUPERVISOR, Role.OFFICE_MANAGER, Role.COMPANY_ADMIN)
    if action == "plan":
        return user.has_role(*PLANNERS) or user.has_role(Role.STAFF, Role.RECEPTIONIST)
    if action == "manage_rules":
        return user.has_role(Role.COMPANY_ADMIN)
    return False
