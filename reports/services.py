"""Writes of the monthly analysis: the proposed solution (解决方案建议) of one finding of
the written report to the office manager (DOMAIN §5, 管理员每月末)."""

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core.errors import (
    BadInput,
    Conflict,
    NotAllowed,
    NotFound,
    full_clean_or_bad_input,
)
from org.models import Company, User
from reports.forms import FINDING, PROPOSAL_MAX, parse_scope
from reports.models import MonthlyReview
from reports.policies import can, scope_visible
from reports.selectors import MONTH, Scope

# `seen` left out: the caller does not guard against overwriting a newer text.
UNCHECKED = object()


def review_save(
    *,
    actor: User,
    company: Company,
    scope: Scope | str,
    month: str,
    finding: str,
    proposal: str,
    seen: datetime | object | None = UNCHECKED,
) -> MonthlyReview:
    """Store the proposal of `finding` in the report of `scope` and `month`.

    `seen` is the `updated_at` of the text the writer started from (None: there was
    none); when the stored proposal has changed since, nothing is written and Conflict
    (code "review_changed") carries the stored row in `extra["review"]`.

    The finding key is checked for its shape only: whether the finding is still in the
    month's figures is the caller's read (the page shows only current findings).
    """
    scope_obj = parse_scope(scope) if isinstance(scope, str) else scope
    if company.id != actor.company_id or scope_obj is None or not scope_visible(actor, scope_obj):
        raise NotFound(_("Report not found."))
    if not can(actor, "save_proposal"):
        raise NotAllowed(_("You may not write proposals in the monthly report."))
    if not MONTH.match(month or ""):
        raise BadInput(_("The month is YYYY-MM."), fields={"month": [_("Use YYYY-MM.")]})
    if not FINDING.match(finding or ""):
        raise BadInput(_("Unknown finding."), fields={"finding": [_("Unknown finding.")]})
    proposal = (proposal or "").strip()
    if len(proposal) > PROPOSAL_MAX:
        raise BadInput(
            _("The proposal is too long."),
            fields={"proposal": [_("At most %(n)d characters.") % {"n": PROPOSAL_MAX}]},
        )
    key = {"company": company, "scope": scope_obj.key, "month": month, "finding": finding}
    try:
        with transaction.atomic():
            review = MonthlyReview.objects.select_for_update().filter(**key).first()
            if seen is not UNCHECKED:
                stored_at = review.updated_at if review else None
                if stored_at != seen and (review is None or review.proposal != proposal):
                    raise _changed(review)
            if review is None:
                review = MonthlyReview(**key)
            review.proposal = proposal
            review.updated_by = actor
            full_clean_or_bad_input(review, _("Check the proposal."), validate_unique=False)
            review.save()
    except IntegrityError as exc:
        # Two first saves of one finding at once: the other one was written first.
        raise _changed(MonthlyReview.objects.filter(**key).first()) from exc
    return review


def _changed(review: MonthlyReview | None) -> Conflict:
    exc = Conflict(
        _("Someone else changed this proposal after you opened the page."),
        code="review_changed",
    )
    exc.review = review  # the stored text, for the page to show beside the writer's own
    return exc
