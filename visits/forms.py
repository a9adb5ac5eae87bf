"""Forms of the return-visit pages. They check the shape of the input; the services
check the rules, and their ApplicationError fields are put next to the inputs by
`add_service_errors` (the service names a few fields differently, see SERVICE_FIELDS)."""

from datetime import datetime, time, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.errors import ApplicationError
from estate import selectors as estate_selectors
from org.models import User
from visits.models import ReturnVisit, VisitRecord

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"

# The tabs of the work list: (key, label).
TABS = (
    ("today", pgettext_lazy("visit tab", "Due today")),
    ("overdue", pgettext_lazy("visit tab", "Overdue")),
    ("upcoming", pgettext_lazy("visit tab", "Upcoming")),
    ("done", pgettext_lazy("visit tab", "Done")),
)
SCOPES = (
    ("mine", pgettext_lazy("visit scope", "Mine")),
    ("office", pgettext_lazy("visit scope", "Whole office")),
    # No visitor, or one who has left: for a supervisor to hand out.
    ("unattended", pgettext_lazy("visit scope", "Nobody's")),
)

# Satisfaction as the printed form words it, 1 (worst) to 5 (best).
SATISFACTION = (
    (1, pgettext_lazy("satisfaction", "Very dissatisfied")),
    (2, pgettext_lazy("satisfaction", "Dissatisfied")),
    (3, pgettext_lazy("satisfaction", "Neutral")),
    (4, pgettext_lazy("satisfaction", "Satisfied")),
    (5, pgettext_lazy("satisfaction", "Very satisfied")),
)

CONFIRM_DRAWN = VisitRecord.SignatureKind.DRAWN
CONFIRM_SMS = VisitRecord.SignatureKind.SMS_CODE
CONFIRM_NONE = "none"


def now_local() -> datetime:
    """Now, to the minute, for a datetime-local input's initial value."""
    return timezone.localtime().replace(second=0, microsecond=0)


def add_service_errors(form: forms.Form, exc: ApplicationError) -> None:
    """Put a service error's fields on the form; fields the form lacks go on top."""
    if not exc.fields:
        form.add_error(None, exc.message)
    aliases = getattr(form, "SERVICE_FIELDS", {})
    for name, messages in exc.fields.items():
        name = aliases.get(name, name)
        form.add_error(name if name in form.fields else None, messages)


class VisitFilterForm(forms.Form):
    tab = forms.ChoiceField(choices=TABS, required=False, widget=forms.HiddenInput)
    scope = forms.ChoiceField(choices=SCOPES, required=False, widget=forms.HiddenInput)
    community = forms.ModelChoiceField(
        label=_("Community"), queryset=None, required=False, empty_label=_("All communities")
    )
    building = forms.ModelChoiceField(
        label=_("Building"), queryset=None, required=False, empty_label=_("All buildings")
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = estate_selectors.community_list(user=user).order_by(
            "name"
        )
        # Buildings only once a community is chosen: a company may have hundreds.
        community_id = self.data.get("community") or None
        buildings = estate_selectors.building_list(user=user).order_by("id")
        self.fields["building"].queryset = (
            buildings.filter(community_id=community_id)
            if community_id and str(community_id).isdigit()
            else buildings.none()
        )


class RecordForm(forms.Form):
    """What the visit found, and how the owner confirmed it."""

    # The service's names → this form's fields. The signature data is the drawn image
    # or the code, depending on the kind chosen (see `service_errors`).
    SERVICE_FIELDS = {"signature.kind": "confirm_by", "kind": "confirm_by"}

    method = forms.ChoiceField(
        label=_("How the visit was made"),
        choices=VisitRecord.Method.choices,
        widget=forms.RadioSelect,
    )
    visited_at = forms.DateTimeField(
        label=_("Visited at"),
        input_formats=[DATETIME_LOCAL, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
        help_text=_("Now, or earlier if you enter the visit afterwards."),
    )
    quality = forms.CharField(
        label=_("Quality evaluation"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    result = forms.CharField(
        label=_("Evaluation of the service result"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    satisfaction = forms.TypedChoiceField(
        label=_("Owner's satisfaction"), choices=SATISFACTION, coerce=int, widget=forms.RadioSelect
    )
    shortcomings = forms.CharField(
        label=_("Shortcomings"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    opinions = forms.CharField(
        label=_("Owner's opinions"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    qualified = forms.TypedChoiceField(
        label=_("Is the work qualified?"),
        choices=(("true", _("Qualified")), ("false", _("Not qualified"))),
        coerce=lambda v: v == "true",
        widget=forms.RadioSelect,
    )
    confirm_by = forms.ChoiceField(
        label=_("Owner's confirmation"),
        choices=((CONFIRM_DRAWN, _("Signature on screen")), (CONFIRM_SMS, _("Code by SMS"))),
        widget=forms.RadioSelect,
        initial=CONFIRM_DRAWN,
    )
    # A PNG data URL written by static/js/signature.js when the form is sent.
    signature = forms.CharField(required=False, widget=forms.HiddenInput)
    sms_code = forms.CharField(
        label=_("Code the owner received"),
        required=False,
        max_length=6,
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "pattern": "[0-9]{6}",
                "maxlength": "6",
                "placeholder": "······",
            }
        ),
    )

    def clean_visited_at(self):
        value = self.cleaned_data["visited_at"]
        # A minute's grace: the input has no seconds and "now" was filled in on load.
        if value > timezone.now() + timedelta(minutes=1):
            raise forms.ValidationError(_("The visit may not be in the future."))
        return value

    def clean(self):
        data = super().clean()
        # The way chosen must be carried through; only a correction may go without
        # (its choices include CONFIRM_NONE).
        kind = data.get("confirm_by")
        if kind == CONFIRM_DRAWN and not data.get("signature"):
            self.add_error("signature", _("Ask the owner to sign in the box."))
        elif kind == CONFIRM_SMS:
            code = (data.get("sms_code") or "").strip()
            if not code:
                self.add_error("sms_code", _("Enter the code the owner received."))
            elif not (code.isdigit() and len(code) == 6):
                self.add_error("sms_code", _("The code has six digits."))
        return data

    def signature_payload(self) -> dict | None:
        """The service's `signature` argument, or None when the owner did not confirm."""
        data = self.cleaned_data
        if data.get("confirm_by") == CONFIRM_DRAWN and data.get("signature"):
            return {"kind": CONFIRM_DRAWN, "data": data["signature"]}
        if data.get("confirm_by") == CONFIRM_SMS and data.get("sms_code"):
            return {"kind": CONFIRM_SMS, "data": data["sms_code"].strip()}
        return None

    def record_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "method": data["method"],
            "visited_at": data["visited_at"],
            "quality": data["quality"],
            "result": data["result"],
            "satisfaction": data["satisfaction"],
            "shortcomings": data["shortcomings"],
            "opinions": data["opinions"],
            "qualified": data["qualified"],
        }

    def service_errors(self, exc: ApplicationError) -> None:
        """The service reports the signature's data as "signature.data": the drawn
        image or the code, whichever was sent."""
        sms = self.cleaned_data.get("confirm_by") == CONFIRM_SMS
        self.SERVICE_FIELDS = {
            **type(self).SERVICE_FIELDS,
            "signature.data": "sms_code" if sms else "signature",
            "signature": "sms_code" if sms else "signature",
        }
        add_service_errors(self, exc)


class CorrectionForm(RecordForm):
    """A new version of the record. The owner confirms it again when present; a
    correction made at the office without the owner is kept as not confirmed."""

    reason = forms.CharField(
        label=_("Why is the record corrected?"), widget=forms.Textarea(attrs={"rows": 2})
    )
    confirm_by = forms.ChoiceField(
        label=_("Owner's confirmation"),
        choices=(
            (CONFIRM_DRAWN, _("Signature on screen")),
            (CONFIRM_SMS, _("Code by SMS")),
            (CONFIRM_NONE, _("Not confirmed by the owner")),
        ),
        widget=forms.RadioSelect,
        initial=CONFIRM_DRAWN,
    )

    field_order = ["reason"]

    @staticmethod
    def initial_from(record: VisitRecord) -> dict:
        return {
            "method": record.method,
            "visited_at": timezone.localtime(record.visited_at).replace(second=0, microsecond=0),
            "quality": record.quality,
            "result": record.result,
            "satisfaction": record.satisfaction,
            "shortcomings": record.shortcomings,
            "opinions": record.opinions,
            "qualified": "true" if record.qualified else "false",
        }


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(label=_("Visitor"), queryset=None, empty_label=_("Choose…"))

    def __init__(self, *args, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = staff


class PlanForm(forms.Form):
    """A routine, festival or topic visit. The unit is found by its number in the
    community; the person defaults to the unit's owner."""

    SERVICE_FIELDS = {"unit": "unit_number", "due_from": "due_from", "due_by": "due_by"}

    purpose = forms.ChoiceField(
        label=_("Kind of visit"),
        choices=[c for c in ReturnVisit.Purpose.choices if c[0] != ReturnVisit.Purpose.TICKET],
        widget=forms.RadioSelect,
        initial=ReturnVisit.Purpose.ROUTINE,
    )
    topic = forms.CharField(
        label=_("Topic"),
        max_length=200,
        required=False,
        help_text=_("e.g. 中秋慰问, 二次供水满意度调查"),
    )
    community = forms.ModelChoiceField(
        label=_("Community"), queryset=None, empty_label=_("Choose…")
    )
    unit_number = forms.CharField(
        label=_("Unit number"),
        max_length=60,
        widget=forms.TextInput(attrs={"placeholder": "3-2-301", "autocomplete": "off"}),
    )
    person = forms.TypedChoiceField(
        label=_("Person"), coerce=int, required=False, empty_value=None, choices=()
    )
    due_from = forms.DateField(
        label=_("Visit from"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    due_by = forms.DateField(
        label=_("Visit by"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    assignee = forms.ModelChoiceField(label=_("Visitor"), queryset=None, required=False)

    def __init__(self, *args, user: User, staff=None, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        communities = estate_selectors.community_list(user=user).order_by("name")
        self.fields["community"].queryset = communities
        self.fields["person"].choices = [("", _("The unit's owner")), *people]
        if staff is None:
            del self.fields["assignee"]
        else:
            self.fields["assignee"].queryset = staff
            self.fields["assignee"].empty_label = _("Me")

    def clean(self):
        data = super().clean()
        community, number = data.get("community"), (data.get("unit_number") or "").strip()
        if community and number:
            unit = (
                estate_selectors.unit_list(user=self.user, community_id=community.id)
                .filter(number=number)
                .first()
            )
            if unit is None:
                self.add_error("unit_number", _("No unit with this number in the community."))
            data["unit"] = unit
        if data.get("due_from") and data.get("due_by") and data["due_by"] < data["due_from"]:
            self.add_error("due_by", _("The window ends before it starts."))
        return data

    def window(self) -> tuple[datetime, datetime]:
        """The dates as the start of the first day and the end of the last, company time."""
        zone = timezone.get_current_timezone()
        start = datetime.combine(self.cleaned_data["due_from"], time.min, tzinfo=zone)
        end = datetime.combine(self.cleaned_data["due_by"], time(23, 59, 59), tzinfo=zone)
        return start, end
