"""API: contact quotas, attitude suggestions, surveys (owner relations)."""

from datetime import datetime
from typing import Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from core.api import CursorPagination, visible_or_404
from core.errors import NotFound
from estate.selectors import community_list, person_list
from estate.services import person_update
from org.selectors import office_list
from relations import surveys
from relations.attitudes import attitude_counts, attitude_suggestions
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
    visible_or_404(office_list(user=request.auth), office, label="Office", field="office")
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


class SuggestionOut(Schema):
    person: int
    name: str
    current: str
    suggested: str
    score: int
    reasons: list[str]


class AttitudeOut(Schema):
    counts: dict[str, int]
    suggestions: list[SuggestionOut]


@router.get("/attitudes", response=AttitudeOut)
def attitude_overview(request: HttpRequest, community: int | None = None):
    """Counts per attitude class, and people whose last twelve months of evidence
    suggest another class, with the reasons."""
    visible_or_404(
        community_list(user=request.auth), community, label="Community", field="community"
    )
    suggestions = attitude_suggestions(user=request.auth, community_id=community)
    return {
        "counts": attitude_counts(user=request.auth, community_id=community),
        "suggestions": [
            {
                "person": s.person.id,
                "name": s.person.name,
                "current": s.current,
                "suggested": s.suggested,
                "score": s.score,
                "reasons": s.reasons,
            }
            for s in suggestions
        ],
    }


class ConfirmIn(Schema):
    attitude: Literal["favourable", "neutral", "adverse"]
    note: str = ""


@router.post("/attitudes/{person_id}/confirm", response={200: dict})
def attitude_confirm(request: HttpRequest, person_id: int, payload: ConfirmIn):
    """Staff confirm a class (suggested or their own judgement); the evidence behind
    the suggestion is kept as the reason in the attitude history."""
    person = visible_or_404(person_list(user=request.auth), person_id, label="Person")
    evidence = next(
        (
            s.reasons
            for s in attitude_suggestions(user=request.auth, include_unchanged=True)
            if s.person.id == person.id
        ),
        [],
    )
    reason = "; ".join([*evidence, payload.note] if payload.note else evidence)
    person_update(
        person=person, actor=request.auth, attitude=payload.attitude, attitude_reason=reason
    )
    return {"person": person.id, "attitude": payload.attitude, "reason": reason}


class QuestionIn(Schema):
    code: str
    text: str
    kind: Literal["rating", "text"] = "rating"
    service_line: Literal[
        "customer_service", "engineering", "security", "cleaning", "fees", "overall"
    ] = "overall"


class SurveyIn(Schema):
    title: str = Field(..., min_length=1, max_length=200)
    questions: list[QuestionIn]
    channel: Literal["phone", "portal", "paper"]
    frequency: Literal["once", "monthly", "quarterly", "half_yearly", "yearly"] = "once"
    sample_size: int = Field(..., ge=1)
    office: int | None = None


class SurveyOut(Schema):
    id: int
    title: str
    office: int | None = Field(None, alias="office_id")
    questions: list[dict]
    channel: str
    frequency: str
    sample_size: int
    status: str
    round: int
    opened_at: datetime | None
    closed_at: datetime | None


class InvitationOut(Schema):
    id: int
    person: int = Field(..., alias="person_id")
    unit: int | None = Field(None, alias="unit_id")
    community: int = Field(..., alias="community_id")
    answered: bool

    @staticmethod
    def resolve_answered(obj) -> bool:
        return hasattr(obj, "response")


class AnswerIn(Schema):
    invitation: int
    answers: dict
    channel: Literal["phone", "portal", "paper"]


@router.get("/surveys", response=list[SurveyOut])
@paginate(CursorPagination)
def survey_list(request: HttpRequest):
    return surveys.visible_surveys(request.auth)


@router.post("/surveys", response={201: SurveyOut})
def survey_create(request: HttpRequest, payload: SurveyIn):
    office = visible_or_404(
        office_list(user=request.auth), payload.office, label="Office", field="office"
    )
    survey = surveys.survey_create(
        actor=request.auth,
        title=payload.title,
        questions=[q.dict() for q in payload.questions],
        channel=payload.channel,
        frequency=payload.frequency,
        sample_size=payload.sample_size,
        office=office,
    )
    return Status(201, survey)


@router.post("/surveys/{survey_id}/open", response=SurveyOut)
def survey_open(request: HttpRequest, survey_id: int):
    return surveys.survey_open(survey_id=survey_id, actor=request.auth)


@router.post("/surveys/{survey_id}/close", response=SurveyOut)
def survey_close(request: HttpRequest, survey_id: int):
    return surveys.survey_close(survey_id=survey_id, actor=request.auth)


@router.get("/surveys/{survey_id}/invitations", response=list[InvitationOut])
@paginate(CursorPagination)
def survey_invitations(request: HttpRequest, survey_id: int):
    survey = visible_or_404(surveys.visible_surveys(request.auth), survey_id, label="Survey")
    return surveys.visible_invitations(request.auth, survey).select_related("response")


@router.post("/surveys/{survey_id}/responses", response={201: dict})
def survey_answer(request: HttpRequest, survey_id: int, payload: AnswerIn):
    if (
        not surveys.visible_surveys(request.auth)
        .filter(id=survey_id, invitations__id=payload.invitation)
        .exists()
    ):
        raise NotFound("Invitation not found.", fields={"invitation": ["Not found."]})
    response = surveys.survey_answer(
        invitation_id=payload.invitation,
        actor=request.auth,
        answers=payload.answers,
        channel=payload.channel,
    )
    return Status(
        201, {"id": response.id, "invitation": payload.invitation, "answers": response.answers}
    )


@router.get("/surveys/{survey_id}/results", response=dict)
def survey_results(request: HttpRequest, survey_id: int):
    """Response rate and average ratings by service line and by community."""
    survey = visible_or_404(surveys.visible_surveys(request.auth), survey_id, label="Survey")
    return surveys.survey_results(survey=survey, user=request.auth)
