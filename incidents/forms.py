"""The incident form. It checks the shape of the input and offers only what the user
may see: the service offices of the user, the communities of the chosen office, the
buildings of the chosen communities. incidents.services checks the rules again."""

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from core.errors import ApplicationError
from estate.selectors import building_list, community_list
from incidents.models import Incident
from org.models import Office, User
from org.selectors import office_list

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


def add_service_errors(form: forms.Form, exc: ApplicationError) -> None:
    """Put a service error's fields on the form; fields the form lacks go on top."""
    if not exc.fields:
        form.add_error(None, exc.message)
    for name, messages in exc.fields.items():
        form.add_error(name if name in form.fields else None, messages)


def incident_offices(user: User) -> QuerySet[Office]:
    return office_list(user=user).filter(kind=Office.Kind.SERVICE).order_by("id")


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format=DATETIME_LOCAL)


class BuildingChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        # Several communities may each have a "1号楼".
        return f"{obj.community.name} {obj.name}" if self.show_community else obj.name


class IncidentForm(forms.Form):
    office = forms.ModelChoiceField(label=_("Service office"), queryset=None, empty_label=None)
    kind = forms.ChoiceField(label=_("Kind"), choices=Incident.Kind.choices)
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        widget=forms.TextInput(
            attrs={"placeholder": _("e.g. Building 3: water off for pipe repair")}
        ),
    )
    communities = forms.ModelMultipleChoiceField(
        label=_("Affected communities"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one community.")},
    )
    buildings = BuildingChoiceField(
        label=_("Affected buildings"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: the whole of the communities above."),
    )
    started_at = forms.DateTimeField(
        label=_("Started"),
        required=False,
        widget=DateTimeLocalInput(),
        help_text=_("Empty: now."),
    )
    expected_end_at = forms.DateTimeField(
        label=_("Expected end"), required=False, widget=DateTimeLocalInput()
    )
    resident_text = forms.CharField(
        label=_("What to tell residents"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "The hotline desk reads this text to callers from the affected area while the "
            "incident is open: what happened, what is being done, when it should be over."
        ),
    )

    def __init__(self, *args, user: User, office: Office | None, community_ids=(), **kwargs):
        """`office`: the office whose communities are offered (the one chosen, else the
        first); `community_ids`: the communities chosen so far, whose buildings are
        offered."""
        super().__init__(*args, **kwargs)
        self.fields["office"].queryset = incident_offices(user)
        communities = community_list(user=user).filter(office=office).order_by("name")
        self.fields["communities"].queryset = communities
        chosen = list(communities.filter(id__in=community_ids).values_list("id", flat=True))
        buildings = (
            building_list(user=user)
            .filter(community_id__in=chosen)
            .select_related("community")
            .order_by("community__name", "id")
        )
        self.fields["buildings"].queryset = buildings
        self.fields["buildings"].show_community = len(chosen) > 1

    def clean(self):
        data = super().clean()
        start, end = data.get("started_at"), data.get("expected_end_at")
        if start and end and end < start:
            self.add_error("expected_end_at", _("The expected end is before the start."))
        return data
