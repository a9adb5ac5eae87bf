"""Attitude classes suggested from evidence (DOMAIN §2): repeated complaints,
unqualified visits and low satisfaction lean adverse; praise and high satisfaction
lean favourable. Staff confirm a suggestion (estate.services.person_set_attitude),
which keeps the history; nothing here changes a person.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Avg, Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from estate.models import Attitude, Person
from estate.selectors import person_list
from org.models import User
from tickets.models import Kind, Ticket
from tickets.policies import visible as visible_tickets
from visits.models import ReturnVisit, VisitRecord
from visits.policies import visible as visible_visits

WINDOW = timedelta(days=365)
# Points per piece of evidence; a total of ±2 or beyond suggests a class.
COMPLAINT_AFTER_FIRST = -1  # the second and later complaints
UNQUALIFIED_VISIT = -1
LOW_SATISFACTION = -1  # average of current visit records ≤ 2
PRAISE = 1
HIGH_SATISFACTION = 1  # average ≥ 4.5 over at least two visits
THRESHOLD = 2


@dataclass
class Suggestion:
    person: Person
    current: str
    suggested: str
    score: int
    reasons: list[str] = field(default_factory=list)


def _suggested(score: int) -> str:
    if score >= THRESHOLD:
        return Attitude.FAVOURABLE
    if score <= -THRESHOLD:
        return Attitude.ADVERSE
    return Attitude.NEUTRAL


def attitude_suggestions(
    *,
    user: User,
    community_id: int | None = None,
    person_id: int | None = None,
    now: datetime | None = None,
    include_unchanged: bool = False,
) -> list[Suggestion]:
    """People whose evidence of the last twelve months points to another class than
    the one on file (all scored people with `include_unchanged`)."""
    since = (now or timezone.now()) - WINDOW
    tickets = visible_tickets(
        user, Ticket.objects.filter(received_at__gte=since, person__isnull=False)
    )
    if community_id is not None:
        tickets = tickets.filter(community_id=community_id)
    if person_id is not None:
        tickets = tickets.filter(person_id=person_id)
    score: dict[int, int] = defaultdict(int)
    reasons: dict[int, list[str]] = defaultdict(list)
    for row in (
        tickets.filter(kind=Kind.COMPLAINT).values("person").annotate(n=Count("id")).order_by()
    ):
        if row["n"] >= 2:
            score[row["person"]] += COMPLAINT_AFTER_FIRST * (row["n"] - 1)
            reasons[row["person"]].append(_("%(n)s complaints in a year") % {"n": row["n"]})
    for row in tickets.filter(kind=Kind.PRAISE).values("person").annotate(n=Count("id")).order_by():
        score[row["person"]] += PRAISE * row["n"]
        reasons[row["person"]].append(_("%(n)s praises in a year") % {"n": row["n"]})
    records = VisitRecord.objects.filter(
        superseded_by__isnull=True,
        visited_at__gte=since,
        visit__person__isnull=False,
        visit__in=_visible_visits(user, community_id),
    )
    if person_id is not None:
        records = records.filter(visit__person_id=person_id)
    for row in (
        records.values("visit__person")
        .annotate(
            n=Count("id"),
            avg=Avg("satisfaction"),
            unqualified=Count("id", filter=Q(qualified=False)),
        )
        .order_by()
    ):
        pid = row["visit__person"]
        if row["unqualified"]:
            score[pid] += UNQUALIFIED_VISIT * row["unqualified"]
            reasons[pid].append(_("%(n)s unqualified visits") % {"n": row["unqualified"]})
        if row["avg"] is not None and row["avg"] <= 2:
            score[pid] += LOW_SATISFACTION
            reasons[pid].append(_("visit satisfaction %(avg).1f on average") % {"avg": row["avg"]})
        elif row["avg"] is not None and row["avg"] >= 4.5 and row["n"] >= 2:
            score[pid] += HIGH_SATISFACTION
            reasons[pid].append(_("visit satisfaction %(avg).1f on average") % {"avg": row["avg"]})
    people = {p.id: p for p in person_list(user=user).filter(id__in=list(score))}
    result = []
    for pid, total in score.items():
        person = people.get(pid)
        if person is None:
            continue
        suggested = _suggested(total)
        if include_unchanged or suggested != person.attitude:
            result.append(Suggestion(person, person.attitude, suggested, total, reasons[pid]))
    return sorted(result, key=lambda s: (s.score, s.person.id))


def _visible_visits(user: User, community_id: int | None):
    qs = visible_visits(user, ReturnVisit.objects.all())
    if community_id is not None:
        qs = qs.filter(unit__community_id=community_id)
    return qs


def attitude_counts(*, user: User, community_id: int | None = None) -> dict[str, int]:
    """How many visible people are in each class now."""
    qs = person_list(user=user)
    if community_id is not None:
        qs = person_list(user=user, community_id=community_id)
    counts = dict.fromkeys(Attitude.values, 0)
    for row in qs.order_by().values("attitude").annotate(n=Count("id", distinct=True)):
        counts[row["attitude"]] = row["n"]
    return counts
