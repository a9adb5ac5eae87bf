"""Who may see and use the hotline desk, its calls and its knowledge base."""

from django.db.models import QuerySet

from hotline.models import Article, Script
from org.models import Role, User
from org.policies import office_ids_for, scope_by_office

DESK = (
    Role.HOTLINE_AGENT,
    Role.RECEPTIONIST,
    Role.SUPERVISOR,
    Role.OFFICE_MANAGER,
    Role.COMPANY_ADMIN,
    Role.QUALITY,
)
KB_EDITORS = (
    Role.HOTLINE_AGENT,
    Role.RECEPTIONIST,
    Role.SUPERVISOR,
    Role.OFFICE_MANAGER,
    Role.COMPANY_ADMIN,
    Role.QUALITY,
)
SCRIPT_EDITORS = (Role.OFFICE_MANAGER, Role.COMPANY_ADMIN, Role.QUALITY)


def visible(user: User, qs: QuerySet) -> QuerySet:
    """Calls and call-backs by office; articles of the company (office-wide ones only
    for that office)."""
    if qs.model in (Article, Script):
        if user.company_id is None:
            return qs.none()
        qs = qs.filter(company_id=user.company_id)
        if qs.model is Article:
            ids = office_ids_for(user)
            if ids is not None:
                qs = qs.filter(office__isnull=True) | qs.filter(office_id__in=ids)
        return qs
    return scope_by_office(user, qs, "office_id")


def can(user: User, action: str, obj: object | None = None) -> bool:
    """Actions: use_desk (take calls, log them, call-backs), edit_kb, edit_scripts."""
    if not user.is_authenticated or user.company_id is None:
        return False
    if action == "use_desk":
        return user.has_role(*DESK) or user.has_role(Role.STAFF)
    if action == "edit_kb":
        return user.has_role(*KB_EDITORS)
    if action == "edit_scripts":
        return user.has_role(*SCRIPT_EDITORS)
    return False
