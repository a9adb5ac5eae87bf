"""Forms of the ticket pages. They check the shape of the input and resolve ids and unit
numbers through the selectors (what the user may see); the services check the rules,
and their errors are put next to the inputs by `add_service_errors`."""

from dataclasses import dataclass, field
from datetime import datetime

from django import forms
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core import phones
from core.errors import ApplicationError
from estate import selectors as estate_selectors
from estate.models import Community, Unit
from org.models import Department, User
from tickets.categories import CategoryConfig
from tickets.models import Area, Channel, Kind, Outcome, Responsibility, Severity, Status, Ticket

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"

# Service field names → the form's own names, where they differ.
SERVICE_FIELDS = {
    "unit": "unit_number",
    "parties": "other_unit_number",
    "department": "target",
    "assignee": "target",
}


def add_service_errors(form: forms.Form, exc: ApplicationError) -> None:
    """Put a service error's fields on the form; fields the form lacks go on top."""
    if not exc.fields:
        form.add_error(None, exc.message)
    for name, messages in exc.fields.items():
        name = SERVICE_FIELDS.get(name, name)
        form.add_error(name if name in form.fields else None, messages)


def _label(name: str):
    return capfirst(Ticket._meta.get_field(name).verbose_name)


def _datetime_input() -> forms.DateTimeInput:
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL)


def _blank(label) -> list[tuple[str, object]]:
    return [("", label)]


# ---- the work list --------------------------------------------------------------------


TABS: tuple[tuple[str, object], ...] = (
    ("mine", pgettext_lazy("ticket tab", "Mine")),
    ("department", pgettext_lazy("ticket tab", "My departments")),
    ("office", pgettext_lazy("ticket tab", "My office")),
    ("unassigned", pgettext_lazy("ticket tab", "To route")),
    ("overdue", pgettext_lazy("ticket tab", "Overdue")),
    ("supervised", pgettext_lazy("ticket tab", "Under supervision")),
)


class TicketFilterForm(forms.Form):
    tab = forms.ChoiceField(choices=TABS, required=False, widget=forms.HiddenInput)
    q = forms.CharField(label=_("Search"), max_length=60, required=False)
    community = forms.ModelChoiceField(
        label=_("Community"), queryset=None, required=False, empty_label=_("All communities")
    )
    building = forms.ModelChoiceField(
        label=_("Building"), queryset=None, required=False, empty_label=_("All buildings")
    )
    kind = forms.ChoiceField(label=_label("kind"), required=False)
    category = forms.ChoiceField(label=_label("category"), required=False)
    status = forms.ChoiceField(label=_label("status"), required=False)
    channel = forms.ChoiceField(label=_("Channel"), required=False)
    received_from = forms.DateField(
        label=_("Received from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    received_to = forms.DateField(
        label=_("Received to"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, user: User, categories: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = estate_selectors.community_list(user=user).order_by(
            "name"
        )
        # Buildings only once a community is chosen: a company may have hundreds.
        community_id = self.data.get("community") or ""
        buildings = estate_selectors.building_list(user=user).order_by("name")
        self.fields["building"].queryset = (
            buildings.filter(community_id=community_id)
            if str(community_id).isdigit()
            else buildings.none()
        )
        self.fields["kind"].choices = _blank(_("All kinds")) + Kind.choices
        self.fields["category"].choices = _blank(_("All categories")) + list(categories.items())
        self.fields["status"].choices = _blank(_("All states")) + Status.choices
        self.fields["channel"].choices = _blank(_("All channels")) + Channel.choices


class SavedFilterForm(forms.Form):
    name = forms.CharField(label=_("Name of this filter"), max_length=50)
    query = forms.CharField(max_length=500, required=False, widget=forms.HiddenInput)


# ---- the new-ticket form ----------------------------------------------------------------


class TicketCreateForm(forms.Form):
    """A contact from an owner. The unit is typed by its number within the community (the
    lookup suggests units and their people); the person is picked from those suggestions."""

    community = forms.ModelChoiceField(
        label=_("Community"), queryset=None, empty_label=_("Choose…")
    )
    unit_number = forms.CharField(
        label=_("Unit number"),
        max_length=60,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "placeholder": "3-2-301"}),
    )
    lookup_phone = forms.CharField(
        label=_("Or find by phone"),
        max_length=30,
        required=False,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "inputmode": "tel", "placeholder": "138…"}
        ),
    )
    person = forms.IntegerField(required=False, widget=forms.HiddenInput)
    kind = forms.ChoiceField(
        label=_label("kind"), choices=Kind.choices, initial=Kind.REPAIR, widget=forms.RadioSelect
    )
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices)
    category = forms.ChoiceField(label=_label("category"), initial="other")
    title = forms.CharField(label=_label("title"), max_length=200)
    description = forms.CharField(
        label=_label("description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    severity = forms.ChoiceField(
        label=_label("severity"),
        choices=Severity.choices,
        initial=Severity.GENERAL,
        widget=forms.RadioSelect,
    )
    area = forms.ChoiceField(
        label=_label("area"),
        choices=Area.choices,
        initial=Area.HOUSEHOLD,
        required=False,
        widget=forms.RadioSelect,
    )
    emergency = forms.BooleanField(
        label=_("Emergency (burst pipe, fire, power cut, lift entrapment)"), required=False
    )
    received_at = forms.DateTimeField(
        label=_label("received_at"),
        required=False,
        widget=_datetime_input(),
        help_text=_("Leave as it is for a contact taking place now."),
    )
    external_ref = forms.CharField(label=_label("external_ref"), max_length=60, required=False)
    external_due_at = forms.DateTimeField(
        label=_label("external_due_at"), required=False, widget=_datetime_input()
    )
    complainant_consent = forms.BooleanField(
        label=_("The complainant agrees that their identity may be shown to the other side"),
        required=False,
    )
    statement = forms.CharField(
        label=_("What the complainant says"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    other_unit_number = forms.CharField(
        label=_("Other side: unit number"),
        max_length=60,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    other_phone = forms.CharField(
        label=_("Other side: phone (optional)"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "tel"}),
    )
    other_statement = forms.CharField(
        label=_("What the other side says"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, user: User, categories: dict[str, CategoryConfig], **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["community"].queryset = estate_selectors.community_list(user=user).order_by(
            "name"
        )
        self.fields["category"].choices = [(c.code, c.name) for c in categories.values()]
        lookup = {
            "hx-get": reverse("tickets:create_lookup"),
            "hx-target": "#who",
            "hx-swap": "outerHTML",
            "hx-include": "[name=community],[name=person]",
        }
        self.fields["unit_number"].widget.attrs.update(
            lookup,
            **{"hx-trigger": "input changed delay:300ms, search", "hx-vals": '{"by": "unit"}'},
        )
        self.fields["lookup_phone"].widget.attrs.update(
            lookup, **{"hx-trigger": "input changed delay:500ms", "hx-vals": '{"by": "phone"}'}
        )
        # Another community: its office's categories, and no suggestions of the last one.
        self.fields["community"].widget.attrs.update(
            {
                "hx-get": reverse("tickets:create"),
                "hx-trigger": "change",
                "hx-include": "[name=community]",
                "hx-target": "#category-field",
                "hx-select": "#category-field",
                "hx-select-oob": "#who",
                "hx-swap": "outerHTML",
            }
        )

    def _unit(self, community: Community, number: str, field: str) -> Unit | None:
        number = number.strip()
        if not number:
            return None
        unit = (
            estate_selectors.unit_list(user=self.user, community_id=community.id)
            .filter(number=number)
            .first()
        )
        if unit is None:
            self.add_error(
                field,
                _("%(community)s has no unit %(number)s.")
                % {"community": community.name, "number": number},
            )
        return unit

    def clean(self):
        data = super().clean()
        community = data.get("community")
        data["unit"] = data["person_obj"] = data["other_unit"] = data["other_person"] = None
        if community is None:
            return data
        data["unit"] = self._unit(community, data.get("unit_number", ""), "unit_number")
        if data.get("person"):
            person = estate_selectors.person_get(user=self.user, person_id=data["person"])
            if person is None:
                self.add_error("unit_number", _("That person is not on record here."))
            data["person_obj"] = person
        # Presence only, so that every missing input shows at once; the service keeps
        # the rules (and says the same).
        if data.get("channel") == Channel.GOV_HOTLINE:
            for name in ("external_ref", "external_due_at"):
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, _("Required for a 12345 hand-over."))
        if data.get("kind") == Kind.DISPUTE and not (
            (data.get("other_unit_number") or "").strip() or data.get("other_phone")
        ):
            self.add_error("other_unit_number", _("Give the other side (person or unit)."))
        if data.get("kind") == Kind.DISPUTE:
            data["other_unit"] = self._unit(
                community, data.get("other_unit_number", ""), "other_unit_number"
            )
            if data.get("other_phone"):
                data["other_person"] = self._person_by_phone(data["other_phone"])
        return data

    def _person_by_phone(self, number: str):
        try:
            found = list(estate_selectors.person_by_phone(user=self.user, number=number)[:2])
        except phones.InvalidPhone:
            self.add_error("other_phone", _("Not a phone number."))
            return None
        if len(found) != 1:
            self.add_error(
                "other_phone",
                _("Nobody on record has this phone.")
                if not found
                else _("Several people share this phone; leave it empty."),
            )
            return None
        return found[0]


# ---- actions on a ticket -------------------------------------------------------------------


@dataclass
class AssignGroup:
    """One department in the assign form: whether the user may hand it over to the
    department (its supervisor assigns) and which of its staff they may assign."""

    department: Department
    whole: bool
    staff: list[User] = field(default_factory=list)


class AssignForm(forms.Form):
    target = forms.ChoiceField(label=_("Assign to"))

    def __init__(self, *args, groups: list[AssignGroup], **kwargs):
        super().__init__(*args, **kwargs)
        self.groups = groups
        choices: list = [("", _("Choose…"))]
        for group in groups:
            options = []
            if group.whole:
                options.append(
                    (
                        str(group.department.id),
                        _("%(department)s (its supervisor assigns)")
                        % {"department": group.department.name},
                    )
                )
            options += [(f"{group.department.id}:{user.id}", str(user)) for user in group.staff]
            choices.append((group.department.name, options))
        self.fields["target"].choices = choices

    def clean(self):
        data = super().clean()
        target = data.get("target", "")
        department_id, _sep, user_id = target.partition(":")
        group = next((g for g in self.groups if str(g.department.id) == department_id), None)
        data["department"] = group.department if group else None
        data["assignee"] = (
            next((u for u in group.staff if str(u.id) == user_id), None)
            if group and user_id
            else None
        )
        return data


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class PromiseForm(forms.Form):
    method = forms.CharField(label=_label("promised_method"), max_length=200)
    due_at = forms.DateTimeField(label=_label("due_at"), widget=_datetime_input())


class StartForm(forms.Form):
    pass


class ResolveForm(forms.Form):
    resolution = forms.CharField(
        label=_label("resolution"), widget=forms.Textarea(attrs={"rows": 3})
    )
    outcome = forms.ChoiceField(
        label=_label("outcome"), choices=Outcome.choices, initial=Outcome.RESOLVED
    )
    rule_cited = forms.CharField(
        label=_("Rule cited (when refusing)"), max_length=300, required=False
    )
    resolved_at = forms.DateTimeField(
        label=_("Resolved at (leave empty for now)"), required=False, widget=_datetime_input()
    )


class CloseForm(forms.Form):
    closed_at = forms.DateTimeField(
        label=_("Closed at (leave empty for now)"), required=False, widget=_datetime_input()
    )
    complaint_valid = forms.TypedChoiceField(
        label=_("Was the complaint valid?"),
        choices=[("", "—"), ("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda v: v == "yes",
        empty_value=None,
        required=False,
    )
    responsibility = forms.ChoiceField(
        label=_label("responsibility"),
        choices=[("", "—"), *Responsibility.choices],
        required=False,
    )

    def __init__(self, *args, ticket: Ticket, **kwargs):
        super().__init__(*args, **kwargs)
        if ticket.kind != Kind.COMPLAINT:
            del self.fields["complaint_valid"]
            del self.fields["responsibility"]


class CommentForm(forms.Form):
    text = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}))
    internal = forms.BooleanField(
        label=_("Internal (never shown to the owner)"), required=False, initial=True
    )


class RateForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("Owner's rating"),
        choices=[(str(n), "★" * n) for n in range(5, 0, -1)],
        coerce=int,
    )
    comment = forms.CharField(
        label=_("Owner's comment"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReplyRatingForm(forms.Form):
    text = forms.CharField(label=_("Reply to the owner"), widget=forms.Textarea(attrs={"rows": 2}))


class ConsentForm(forms.Form):
    consent = forms.BooleanField(
        label=_("The complainant agrees that their identity may be shown"), required=False
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


def action_form(action: str, data=None, *, ticket: Ticket, groups=None) -> forms.Form:
    """The form of one action, bound to `data` (a POST) or with initial values."""
    if action == "assign":
        return AssignForm(data, groups=groups or [], prefix=action)
    if action in {"escalate", "reopen", "cancel"}:
        return ReasonForm(data, prefix=action)
    if action == "promise":
        initial = {
            "method": ticket.promised_method,
            "due_at": timezone.localtime(ticket.due_at) if ticket.due_at else None,
        }
        return PromiseForm(data, initial=initial, prefix=action)
    if action == "start":
        return StartForm(data, prefix=action)
    if action == "resolve":
        return ResolveForm(data, prefix=action)
    if action == "close":
        return CloseForm(data, ticket=ticket, prefix=action)
    if action == "comment":
        return CommentForm(data, prefix=action)
    if action == "rate":
        return RateForm(data, prefix=action)
    if action == "reply_rating":
        return ReplyRatingForm(data, initial={"text": ticket.rating_reply}, prefix=action)
    if action == "set_consent":
        return ConsentForm(data, initial={"consent": ticket.complainant_consent}, prefix=action)
    raise KeyError(action)


def now_local() -> datetime:
    """Now, to the minute, for a datetime-local input's initial value."""
    return timezone.localtime().replace(second=0, microsecond=0)
