"""Forms of the hotline desk pages. They check the shape of the input; ids are resolved
through the selectors (what the user may see) in the views, and the services check the
rules again. A service's BadInput is put next to the inputs by `add_service_errors`."""

import re
from datetime import datetime, timedelta

from django import forms
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.errors import ApplicationError
from hotline.models import Call, Script
from org.models import User
from tickets.models import Kind

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"
ENTER_SUBMITS = (
    "if (event.key === 'Enter' && !event.shiftKey && !event.isComposing)"
    " { event.preventDefault(); this.form.requestSubmit(); }"
)
_EXTENSION = re.compile(r"^[0-9A-Za-z*#+\-]*$")

# Service field names → the form's own names, where they differ.
SERVICE_FIELDS = {"duration_s": "duration_min"}


def add_service_errors(form: forms.Form, exc: ApplicationError) -> None:
    """Put a service error's fields on the form; fields the form lacks go on top."""
    if not exc.fields:
        form.add_error(None, exc.message)
    for name, messages in exc.fields.items():
        name = SERVICE_FIELDS.get(name, name)
        form.add_error(name if name in form.fields else None, messages)


def now_local() -> datetime:
    """Now, to the minute, for a datetime-local input's initial value (company time)."""
    return timezone.localtime().replace(second=0, microsecond=0)


def _datetime_input() -> forms.DateTimeInput:
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL)


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ExtensionForm(forms.Form):
    """The agent's desk phone extension: a pushed call for it pops on their desk."""

    extension = forms.CharField(
        label=_("My extension"),
        max_length=20,
        required=False,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "off", "placeholder": "8001"}
        ),
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_extension(self) -> str:
        value = self.cleaned_data["extension"].strip()
        if not _EXTENSION.match(value):
            raise forms.ValidationError(_("Digits only (and * # + -)."))
        if value:
            taken = (
                User.objects.filter(
                    company_id=self.user.company_id, extension=value, is_active=True
                )
                .exclude(pk=self.user.pk)
                .first()
            )
            if taken is not None:
                # Pushed calls go to one agent per extension: two would fight over it.
                raise forms.ValidationError(
                    _("Extension %(ext)s is already used by %(name)s.")
                    % {"ext": value, "name": taken}
                )
        return value


class DeskTicketForm(forms.Form):
    """The one form of the desk that logs the caller's request as a ticket.

    `unit` is one of the caller's units (from the card); without a card the unit is
    typed by its number within a community. The channel is always the hotline."""

    call = forms.IntegerField(required=False, widget=forms.HiddenInput)
    number = forms.CharField(required=False, max_length=30, widget=forms.HiddenInput)
    # "person:unit" (the person alone: "person:"), from the caller's card.
    unit = forms.ChoiceField(label=_("Unit"), required=False)
    community = forms.ChoiceField(label=_("Community"), required=False)
    unit_number = forms.CharField(
        label=_("Unit number"),
        max_length=60,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "placeholder": "3-2-301"}),
    )
    description = forms.CharField(
        label=_("What does the caller say?"),
        widget=forms.Textarea(
            attrs={
                "rows": 3,
                "autofocus": True,
                "placeholder": _("Type what the caller says; Enter logs the ticket"),
            }
        ),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices, initial=Kind.REPAIR)
    category = forms.ChoiceField(label=_("Category"), initial="other")
    # Set once the agent picks a category by hand: the suggestion no longer overrides it.
    category_touched = forms.CharField(required=False, widget=forms.HiddenInput)
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        required=False,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "placeholder": _("Empty: the first words of the text")}
        ),
    )
    emergency = forms.BooleanField(label=_("Emergency"), required=False)

    def __init__(
        self,
        *args,
        units: list[tuple[str, object]],
        communities: list[tuple[str, str]],
        categories: list[tuple[str, str]],
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = units
        self.fields["community"].choices = [("", _("Choose…")), *communities]
        self.fields["category"].choices = categories
        # Typing the description (or choosing the unit or category) asks for the category
        # suggestion, the articles and the scripts; Enter logs the ticket (Shift+Enter is
        # a new line; Enter that ends an IME composition is left to the IME).
        live = {
            "hx-get": reverse("hotline:suggest"),
            "hx-include": "closest form",
            "hx-target": "#category-field",
            "hx-swap": "outerHTML",
            "hx-sync": "closest form:replace",
        }
        self.fields["description"].widget.attrs.update(
            live,
            **{
                "hx-trigger": "keyup changed delay:300ms, input changed delay:300ms",
                "hx-on:keydown": ENTER_SUBMITS,
            },
        )
        for name in ("unit", "community", "category"):
            self.fields[name].widget.attrs.update(live, **{"hx-trigger": "change"})


class CallbackForm(forms.Form):
    """Promise to call back: from the desk after a ticket, or on the call-backs page."""

    number = forms.CharField(
        label=_("Number"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    due_at = forms.DateTimeField(label=_("Call back at"), widget=_datetime_input())
    reason = forms.CharField(label=_("Reason"), max_length=200)
    office = forms.ChoiceField(label=_("Service office"), required=False)
    call = forms.IntegerField(required=False, widget=forms.HiddenInput)
    person = forms.IntegerField(required=False, widget=forms.HiddenInput)
    ticket = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, offices: list[tuple[str, str]] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["office"].choices = list(offices)
        if len(offices) <= 1:
            self.fields["office"].widget = forms.HiddenInput()
        self.initial.setdefault("due_at", now_local() + timedelta(hours=1))


class CallLogForm(forms.Form):
    """A call logged by hand (a phone without a connected system, an outgoing call)."""

    office = forms.ChoiceField(label=_("Service office"))
    direction = forms.ChoiceField(
        label=_("Direction"),
        choices=Call.Direction.choices,
        initial=Call.Direction.IN,
        widget=forms.RadioSelect,
    )
    number = forms.CharField(
        label=_("Number"),
        max_length=30,
        widget=forms.TextInput(
            attrs={"inputmode": "tel", "autocomplete": "off", "autofocus": True}
        ),
    )
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[c for c in Call.Outcome.choices if c[0] != Call.Outcome.RINGING],
        initial=Call.Outcome.ANSWERED,
    )
    started_at = forms.DateTimeField(label=_("Time"), widget=_datetime_input())
    duration_min = forms.DecimalField(
        label=_("Duration (minutes)"),
        min_value=0,
        max_value=600,
        decimal_places=1,
        required=False,
        widget=forms.NumberInput(attrs={"step": "0.5"}),
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, offices: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["office"].choices = offices
        if len(offices) == 1:
            self.fields["office"].initial = offices[0][0]
            self.fields["office"].widget = forms.HiddenInput()
        self.initial.setdefault("started_at", now_local())


class CallFilterForm(forms.Form):
    agent = forms.ChoiceField(label=_("Agent"), required=False)
    day = forms.DateField(label=_("Date"), required=False, widget=_date_input())

    def __init__(self, *args, agents: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agent"].choices = [("", _("All agents")), *agents]


class StatsForm(forms.Form):
    start = forms.DateField(label=_("From"), widget=_date_input())
    end = forms.DateField(label=_("To"), widget=_date_input())
    office = forms.ChoiceField(label=_("Service office"), required=False)

    def __init__(self, *args, offices: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["office"].choices = [("", _("All offices")), *offices]

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", _("The end is before the start."))
        if start and end and (end - start).days > 366:
            self.add_error("end", _("At most one year at a time."))
        return data


class KbSearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=100, required=False)
    category = forms.ChoiceField(label=_("Category"), required=False)

    def __init__(self, *args, categories: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", _("All categories")), *categories]


class ArticleForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"))
    title = forms.CharField(label=_("Title"), max_length=200)
    problem = forms.CharField(label=_("Problem"), widget=forms.Textarea(attrs={"rows": 4}))
    solution = forms.CharField(label=_("Solution"), widget=forms.Textarea(attrs={"rows": 6}))
    office = forms.ChoiceField(
        label=_("For"), required=False, help_text=_("Empty: for every office")
    )

    def __init__(
        self,
        *args,
        categories: list[tuple[str, str]],
        offices: list[tuple[str, str]] | None = None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = categories
        if offices is None:  # editing: the service does not move an article between offices
            del self.fields["office"]
        else:
            self.fields["office"].choices = [("", _("Every office")), *offices]


SITUATIONS = Script.Situation.choices
