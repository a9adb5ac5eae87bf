"""The shape of the monthly page's input: month and scope in the query string, and one
proposed solution per finding. Visibility and roles are checked by the views and the
service, not here."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from reports.selectors import MONTH, Scope

# "company", "office:<id>" or "community:<id>": also the key MonthlyReview.scope stores.
SCOPE = re.compile(r"^(?:company|(community|office):([1-9]\d{0,17}))$")
# unqualified:<visit id>, repeat_complaint:unit|person:<id>:<category>,
# repeat_repair:unit:<id>:<category> (category codes are slugs).
FINDING = re.compile(
    r"^(?:unqualified:[1-9]\d{0,17}"
    r"|repeat_complaint:(?:unit|person):[1-9]\d{0,17}:[-\w]{1,30}"
    r"|repeat_repair:unit:[1-9]\d{0,17}:[-\w]{1,30})$",
    re.ASCII,
)
PROPOSAL_MAX = 4000


def parse_scope(value: str | None) -> Scope | None:
    """The Scope a query-string value names, or None when it is malformed."""
    m = SCOPE.match(value or "")
    if not m:
        return None
    if m.group(1) == "community":
        return Scope(community=int(m.group(2)))
    if m.group(1) == "office":
        return Scope(office=int(m.group(2)))
    return Scope()


def valid_month(value: str | None) -> bool:
    return bool(MONTH.match(value or ""))


class ReviewForm(forms.Form):
    """One finding's proposed solution. `seen` is when the text the writer started from
    was saved (empty: nothing was saved yet), so a later save by someone else is not
    overwritten unseen."""

    month = forms.RegexField(regex=MONTH)
    scope = forms.RegexField(regex=SCOPE, max_length=40)
    finding = forms.RegexField(regex=FINDING, max_length=80)
    proposal = forms.CharField(
        label=_("Proposed solution"),
        required=False,
        max_length=PROPOSAL_MAX,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    seen = forms.CharField(required=False, max_length=40)
