"""API: contact quotas, attitude suggestions, surveys (owner relations)."""

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema

from core.errors import NotFound
from org.selectors import office_list
from relations.quotas import quota_progress

router = Router(tags=["owner relations"])


class PersonQuotaOut(Schema):
    user: int
    name: str
    rule: str
    target: int
    households: int
    expected_by_now: float
    progress: float
    behind: bool


class DepartmentQuotaOut(Schema):
    department: int
    name: str
    office: int
    rule: str
    target_percent: int
    households: int
    office_households: int
    share_percent: float
    behind: bool


class QuotaOut(Schema):
    year: int
    elapsed: float
    people: list[PersonQuotaOut]
    departments: list[DepartmentQuotaOut]


@router.get("/quotas", response=QuotaOut)
def quota_list(request: HttpRequest, year: int | None = None, office: int | None = None):
    """Yearly contact quotas: households contacted per person and per department,
    and who is behind an even pace through the year."""
    if office is not None and not office_list(user=request.auth).filter(id=office).exists():
        raise NotFound("Office not found.", fields={"office": ["Not found."]})
    year = year or timezone.localdate().year
    data = quota_progress(user=request.auth, year=year, office_id=office)
    return {
        "year": data["year"],
        "elapsed": data["elapsed"],
        "people": [
            {
                "user": p.user.id,
                "name": str(p.user),
                "rule": p.rule.code,
                "target": p.target,
                "households": p.households,
                "expected_by_now": round(p.expected_by_now, 1),
                "progress": round(p.progress, 4),
                "behind": p.behind,
            }
            for p in data["people"]
        ],
        "departments": [
            {
                "department": d.department.id,
                "name": d.department.name,
                "office": d.department.office_id,
                "rule": d.rule.code,
                "target_percent": d.rule.target,
                "households": d.households,
                "office_households": d.office_households,
                "share_percent": round(d.share_percent, 2),
                "behind": d.behind,
            }
            for d in data["departments"]
        ],
    }
