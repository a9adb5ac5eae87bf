"""Who may read the monthly analysis and who may write its proposed solutions.

A scope is a community, a service office, or the whole company. A community or an
office is visible when estate/org visibility says so; the whole company only to the
company-wide roles (org.policies.is_company_wide). Anyone on the company's staff may
read the report of a scope they see (as the API does). Proposals (解决方案建议) are
written by the people the report is for and by those who act on it: office managers,
department supervisors, quality & training, company admins.
"""

from estate.selectors import community_list
from org.models import Role, User
from org.policies import is_company_wide
from org.selectors import office_list
from reports.selectors import Scope

PROPOSAL_WRITERS = (Role.OFFICE_MANAGER, Role.SUPERVISOR, Role.QUALITY, Role.COMPANY_ADMIN)


def scope_visible(user: User, scope: Scope) -> bool:
    if not user.is_authenticated or user.company_id is None:
        return False
    if scope.community:
        return community_list(user=user).filter(id=scope.community).exists()
    if scope.office:
        return office_list(user=user).filter(id=scope.office).exists()
    return is_company_wide(user)


def can(user: User, action: str, scope: Scope | None = None) -> bool:
    """Actions: view (the page and its exports), save_proposal. `scope`, when given, must
    be visible too: a user never acts on what they cannot see."""
    if not user.is_authenticated or user.company_id is None:
        return False
    if scope is not None and not scope_visible(user, scope):
        return False
    if action == "view":
        return True
    if action == "save_proposal":
        return user.has_role(*PROPOSAL_WRITERS)
    return False
