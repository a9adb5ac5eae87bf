"""Forms of the estate pages. They check the shape of the input; the services check
the rules, and their BadInput is shown next to the inputs by `add_service_errors`."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core import phones
from core.errors import ApplicationError
from estate import selectors
from estate.models import Attitude, Channel, Relation, Residency
from org.models import Office, User
from org.selectors import office_list


def add_service_errors(form: forms.Form, exc: ApplicationError) -> None:
    """Put a service error's fields on the form; fields the form lacks go on top."""
    if not exc.fields:
        form.add_error(None, exc.message)
    for name, messages in exc.fields.items():
        form.add_error(name if name in form.fields else None, messages)


class CommunityForm(forms.Form):
    office = forms.ModelChoiceField(
        label=_("Service office"), queryset=None, empty_label=_("Choose…")
    )
    name = forms.CharField(label=_("Name"), max_length=100)
    code = forms.SlugField(
        label=_("Code"), max_length=32, help_text=_("Short code in latin letters, e.g. cuihu")
    )
    address = forms.CharField(label=_("Address"), max_length=200, required=False)

    def __init__(self, *args, offices=None, **kwargs):
        """`offices`: the offices the user manages; None when editing (the office stays)."""
        super().__init__(*args, **kwargs)
        if offices is None:
            del self.fields["office"]
        else:
            self.fields["office"].queryset = offices


class UnitForm(forms.Form):
    building = forms.CharField(
        label=_("Building"),
        max_length=50,
        required=False,
        help_text=_("Pick one or type a new building's name"),
        widget=forms.TextInput(attrs={"list": "building-names", "autocomplete": "off"}),
    )
    entrance = forms.CharField(label=_("Entrance"), max_length=20, required=False)
    room = forms.CharField(label=_("Room"), max_length=20, required=False)
    number = forms.CharField(
        label=_("Unit number"), max_length=60, help_text=_("Building-entrance-room, e.g. 3-2-301")
    )
    area_m2 = forms.DecimalField(
        label=_("Floor area (m²)"), max_digits=8, decimal_places=2, required=False, min_value=0
    )
    residency = forms.ChoiceField(label=_("Residency"), choices=Residency.choices)


class UnitFilterForm(forms.Form):
    community = forms.ModelChoiceField(
        label=_("Community"), queryset=None, required=False, empty_label=_("All communities")
    )
    building = forms.ModelChoiceField(
        label=_("Building"), queryset=None, required=False, empty_label=_("All buildings")
    )
    q = forms.CharField(label=_("Unit number starts with"), max_length=60, required=False)

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = selectors.community_list(user=user)
        # Buildings only once a community is chosen: a company may have hundreds.
        community_id = self.data.get("community") or None
        buildings = selectors.building_list(user=user)
        self.fields["building"].queryset = (
            buildings.filter(community_id=community_id)
            if community_id and str(community_id).isdigit()
            else buildings.none()
        )


class PersonForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=50)
    address_as = forms.CharField(
        label=_("How to address"),
        max_length=50,
        required=False,
        help_text=_("e.g. 王老师, 李阿姨"),
    )
    phones = forms.CharField(
        label=_("Phones"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One per line or separated by commas; the first is preferred"),
    )
    remove_phones = forms.MultipleChoiceField(
        label=_("Remove phones"), required=False, widget=forms.CheckboxSelectMultiple
    )
    office = forms.ModelChoiceField(
        label=_("Registering office"),
        queryset=None,
        required=False,
        empty_label=_("The office of the first unit"),
        help_text=_("Only needed for a person without a unit"),
    )
    birthday = forms.DateField(
        label=_("Birthday"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    attitude = forms.ChoiceField(label=_("Attitude"), choices=Attitude.choices)
    attitude_reason = forms.CharField(
        label=_("Reason for the attitude change"), max_length=500, required=False
    )
    key_client = forms.BooleanField(label=_("Key client"), required=False)
    special_needs = forms.CharField(
        label=_("Special needs"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Elderly living alone, disability, hardship household…"),
    )
    courtesy_notes = forms.CharField(
        label=_("Courtesy and habits"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    preferred_channels = forms.MultipleChoiceField(
        label=_("Preferred channels"),
        choices=Channel.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, user: User, existing_phones=None, **kwargs):
        """`existing_phones`: the person's PersonPhone rows when editing. They are offered
        masked for removal, never as text, so the form does not reveal them."""
        super().__init__(*args, **kwargs)
        if existing_phones is None:
            # A new person has no phones to remove and no attitude to change from.
            del self.fields["remove_phones"]
            del self.fields["attitude_reason"]
            self.fields["office"].queryset = office_list(user=user).filter(kind=Office.Kind.SERVICE)
        else:
            del self.fields["office"]
            self.fields["phones"].label = _("Add phones")
            self.fields["remove_phones"].choices = [
                (str(p.id), phones.mask(p.number)) for p in existing_phones
            ]

    def clean_phones(self) -> list[str]:
        return phones.split(self.cleaned_data["phones"])


class UnitLinkForm(forms.Form):
    """One unit of the person, found by its number within a community. A row left
    without a number is ignored, so clearing it removes the unit from the person."""

    community = forms.ModelChoiceField(
        label=_("Community"), queryset=None, required=False, empty_label=_("Choose…")
    )
    number = forms.CharField(label=_("Unit number"), max_length=60, required=False)
    relation = forms.ChoiceField(
        label=_("Relation"), choices=Relation.choices, initial=Relation.OWNER
    )

    def __init__(self, *args, user: User, default_community=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["community"].queryset = selectors.community_list(user=user)
        self.fields["community"].initial = default_community

    def clean(self):
        data = super().clean()
        number = (data.get("number") or "").strip()
        community = data.get("community")
        data["unit"] = None
        if not number:
            return data
        if community is None:
            self.add_error("community", _("Choose the community of this unit."))
            return data
        unit = (
            selectors.unit_list(user=self.user, community_id=community.id)
            .filter(number=number)
            .first()
        )
        if unit is None:
            self.add_error(
                "number",
                _("%(community)s has no unit %(number)s.")
                % {"community": community.name, "number": number},
            )
        data["unit"] = unit
        return data


UnitLinkFormSet = forms.formset_factory(UnitLinkForm, extra=2)


class RosterUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Roster file (.xlsx)"),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )

    def clean_file(self):
        file = self.cleaned_data["file"]
        if not file.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(_("Upload an Excel file (.xlsx)."))
        return file
