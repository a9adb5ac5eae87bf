"""Satisfaction surveys (DOMAIN §5: 品训部 measures owner satisfaction at a set
frequency): a questionnaire, a reproducible random sample of owners, answers entered
by phone, paper or the portal, and results by community and service line."""

import random
from collections import defaultdict
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import BadInput, Conflict, NotAllowed, NotFound, RuleViolation
from estate.models import Relation, UnitLink
from org.models import Office, Role, User
from org.policies import office_ids_for
from relations.models import ServiceLine, Survey, SurveyInvitation, SurveyResponse

RUNNERS = (Role.QUALITY, Role.COMPANY_ADMIN)
ENTERERS = (
    Role.QUALITY,
    Role.COMPANY_ADMIN,
    Role.HOTLINE_AGENT,
    Role.RECEPTIONIST,
    Role.OFFICE_MANAGER,
)
ROUND_LENGTH = {
    Survey.Frequency.MONTHLY: timedelta(days=30),
    Survey.Frequency.QUARTERLY: timedelta(days=91),
    Survey.Frequency.HALF_YEARLY: timedelta(days=182),
    Survey.Frequency.YEARLY: timedelta(days=365),
}


def visible_surveys(user: User) -> QuerySet[Survey]:
    if user.company_id is None:
        return Survey.objects.none()
    ids = office_ids_for(user)
    qs = Survey.objects.filter(company_id=user.company_id)
    return qs if ids is None else qs.filter(office__isnull=True) | qs.filter(office_id__in=ids)


def visible_invitations(user: User, survey: Survey) -> QuerySet[SurveyInvitation]:
    """A survey's sample as far as the user may see it: a company-wide survey shows an
    office's staff only their own owners."""
    ids = office_ids_for(user)
    qs = survey.invitations.all()
    return qs if ids is None else qs.filter(community__office_id__in=ids)


def _check_questions(questions: list[dict]) -> list[dict]:
    if not questions:
        raise BadInput(
            _("A survey needs questions."), fields={"questions": [_("Add at least one question.")]}
        )
    seen, errors = set(), {}
    for i, q in enumerate(questions):
        code, kind, line = (
            q.get("code"),
            q.get("kind", "rating"),
            q.get("service_line", ServiceLine.OVERALL),
        )
        if not code or code in seen:
            errors[f"questions.{i}.code"] = [_("Each question needs its own code.")]
        if not (q.get("text") or "").strip():
            errors[f"questions.{i}.text"] = [_("This field is required.")]
        if kind not in {"rating", "text"}:
            errors[f"questions.{i}.kind"] = [_("rating or text.")]
        if line not in ServiceLine.values:
            errors[f"questions.{i}.service_line"] = [_("Unknown service line.")]
        seen.add(code)
    if errors:
        raise BadInput(_("Invalid questions."), fields=errors)
    return [
        {
            "code": q["code"],
            "text": q["text"].strip(),
            "kind": q.get("kind", "rating"),
            "service_line": q.get("service_line", ServiceLine.OVERALL),
        }
        for q in questions
    ]


@transaction.atomic
def survey_create(
    *,
    actor: User,
    title: str,
    questions: list[dict],
    channel: str,
    sample_size: int,
    frequency: str = Survey.Frequency.ONCE,
    office: Office | None = None,
) -> Survey:
    """A draft survey of the actor's company (or one office). Quality & training and
    company admins run surveys."""
    if not actor.has_role(*RUNNERS) or actor.company_id is None:
        raise NotAllowed(_("Surveys are run by quality & training."))
    if office is not None:
        ids = office_ids_for(actor)
        if office.company_id != actor.company_id or (ids is not None and office.id not in ids):
            raise NotFound(_("Office not found."), fields={"office": [_("Not found.")]})
    if sample_size < 1:
        raise BadInput(
            _("The sample needs at least one owner."), fields={"sample_size": [_("At least 1.")]}
        )
    return Survey.objects.create(
        company_id=actor.company_id,
        office=office,
        title=title.strip(),
        questions=_check_questions(questions),
        channel=channel,
        frequency=frequency,
        sample_size=sample_size,
        created_by=actor,
    )


def _get(actor: User, survey_id: int, *, lock: bool = False) -> Survey:
    qs = visible_surveys(actor)
    if lock:
        qs = qs.select_for_update()
    survey = qs.filter(id=survey_id).first()
    if survey is None:
        raise NotFound(_("Survey not found."))
    return survey


@transaction.atomic
def survey_open(*, survey_id: int, actor: User) -> Survey:
    """Draw the sample and open the survey. The sample is a random choice of owners
    seeded by the survey's id, so the same survey always draws the same owners and
    anyone can check the draw."""
    if not actor.has_role(*RUNNERS):
        raise NotAllowed(_("Surveys are run by quality & training."))
    survey = _get(actor, survey_id, lock=True)
    if survey.status != Survey.Status.DRAFT:
        raise Conflict(_("Only a draft survey can be opened."), code="invalid_transition")
    links = UnitLink.objects.filter(
        relation=Relation.OWNER, person__company_id=survey.company_id
    ).select_related("unit__community")
    if survey.office_id:
        links = links.filter(unit__community__office_id=survey.office_id)
    # One invitation per person (the first of their homes by id): owners of two homes
    # are not asked twice.
    by_person: dict[int, UnitLink] = {}
    for link in links.order_by("person_id", "unit_id"):
        by_person.setdefault(link.person_id, link)
    population = sorted(by_person)
    if not population:
        raise RuleViolation(_("There are no owners to ask."))
    chosen = random.Random(f"survey-{survey.id}").sample(
        population, min(survey.sample_size, len(population))
    )
    SurveyInvitation.objects.bulk_create(
        [
            SurveyInvitation(
                survey=survey,
                person_id=pid,
                unit_id=by_person[pid].unit_id,
                community_id=by_person[pid].unit.community_id,
            )
            for pid in sorted(chosen)
        ]
    )
    survey.status = Survey.Status.OPEN
    survey.opened_at = timezone.now()
    survey.save(update_fields=["status", "opened_at"])
    return survey


@transaction.atomic
def survey_close(*, survey_id: int, actor: User) -> Survey:
    if not actor.has_role(*RUNNERS):
        raise NotAllowed(_("Surveys are run by quality & training."))
    survey = _get(actor, survey_id, lock=True)
    if survey.status != Survey.Status.OPEN:
        raise Conflict(_("Only an open survey can be closed."), code="invalid_transition")
    survey.status = Survey.Status.CLOSED
    survey.closed_at = timezone.now()
    survey.save(update_fields=["status", "closed_at"])
    return survey


@transaction.atomic
def survey_answer(
    *, invitation_id: int, actor: User, answers: dict, channel: str
) -> SurveyResponse:
    """Enter an owner's answers (by phone, from paper, or from the portal). Ratings are
    1–5; every rating question must be answered."""
    ids = office_ids_for(actor)
    invitation = (
        SurveyInvitation.objects.select_related("survey")
        .filter(id=invitation_id, survey__in=visible_surveys(actor))
        .filter(**({} if ids is None else {"community__office_id__in": ids}))
        .first()
    )
    if invitation is None:
        raise NotFound(_("Invitation not found."))
    if not actor.has_role(*ENTERERS):
        raise NotAllowed(_("You may not enter survey answers."))
    if invitation.survey.status != Survey.Status.OPEN:
        raise Conflict(_("The survey is not open."), code="survey_not_open")
    if hasattr(invitation, "response"):
        raise Conflict(_("This owner has already answered."), code="already_answered")
    if channel not in Survey.Channel.values:
        raise BadInput(_("Unknown channel."), fields={"channel": [_("phone, portal or paper.")]})
    clean, errors = {}, {}
    for q in invitation.survey.questions:
        value = answers.get(q["code"])
        if q["kind"] == "rating":
            if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 5:
                errors[f"answers.{q['code']}"] = [_("A rating from 1 to 5.")]
                continue
            clean[q["code"]] = value
        elif value:
            clean[q["code"]] = str(value).strip()
    if errors:
        raise BadInput(_("Some answers are missing or out of range."), fields=errors)
    return SurveyResponse.objects.create(
        invitation=invitation, answers=clean, channel=channel, entered_by=actor
    )


def survey_results(*, survey: Survey, user: User | None = None) -> dict:
    """Response rate, and the average rating per service line and per community — of
    the owners the user may see, when a user is given."""
    lines = {q["code"]: q["service_line"] for q in survey.questions if q["kind"] == "rating"}
    invitations = (
        visible_invitations(user, survey) if user is not None else survey.invitations.all()
    )
    invited = invitations.count()
    sums: dict[tuple, list[int]] = defaultdict(list)
    responses = SurveyResponse.objects.filter(invitation__in=invitations).select_related(
        "invitation__community"
    )
    answered = 0
    for r in responses:
        answered += 1
        name = r.invitation.community.name
        for code, value in r.answers.items():
            if code in lines:
                sums[(name, lines[code])].append(value)
                sums[("", lines[code])].append(value)
    by_line = {line: _avg(v) for (community, line), v in sums.items() if community == ""}
    by_community: dict[str, dict[str, float]] = defaultdict(dict)
    for (community, line), v in sums.items():
        if community:
            by_community[community][line] = _avg(v)
    return {
        "invited": invited,
        "answered": answered,
        "response_rate": round(answered / invited, 4) if invited else None,
        "by_service_line": dict(sorted(by_line.items())),
        "by_community": {k: dict(sorted(v.items())) for k, v in sorted(by_community.items())},
    }


def _avg(values: list[int]) -> float:
    return round(sum(values) / len(values), 2)


def survey_rounds_due(*, now: datetime | None = None) -> list[Survey]:
    """Start the next round of every recurring survey whose period has passed: a new
    draft with the same questions (quality then opens it). Run it from
    `manage.py survey_rounds`; it is idempotent."""
    now = now or timezone.now()
    created = []
    recurring = Survey.objects.filter(
        frequency__in=list(ROUND_LENGTH), opened_at__isnull=False, next_round__isnull=True
    )
    for survey in recurring:
        if survey.opened_at + ROUND_LENGTH[survey.frequency] > now:
            continue
        with transaction.atomic():
            created.append(
                Survey.objects.create(
                    company_id=survey.company_id,
                    office_id=survey.office_id,
                    title=survey.title,
                    questions=survey.questions,
                    channel=survey.channel,
                    frequency=survey.frequency,
                    sample_size=survey.sample_size,
                    round=survey.round + 1,
                    previous=survey,
                    created_by=survey.created_by,
                )
            )
    return created
