"""Forms of the owner-relations pages. They check the shape of the input; the services
in relations.surveys and estate.services check the rules, and their BadInput is shown
next to the inputs."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.errors import ApplicationError
from estate.models import Attitude
from estate.selectors import community_list
from org.models import Office, User
from org.policies import is_company_wide
from org.selectors import office_list
from relations.models import ServiceLine, Survey

QUESTION_KINDS = (("rating", _("Rating 1–5")), ("text", _("Free text")))
RATING_CHOICES = [(str(n), str(n)) for n in range(1, 6)]
# Answers are entered by staff from a call or a paper form; the portal enters its own.
ENTRY_CHANNELS = (
    (Survey.Channel.PHONE, Survey.Channel.PHONE.label),
    (Survey.Channel.PAPER, Survey.Channel.PAPER.label),
)
MIN_QUESTION_ROWS = 3


def add_service_errors(form: forms.Form, exc: ApplicationError, names: dict | None = None) -> None:
    """Put a service error's fields on the form (`names` maps a service field to a form
    field); fields the form lacks go on top."""
    names = names or {}
    if not exc.fields:
        form.add_error(None, exc.message)
    for name, messages in exc.fields.items():
        name = names.get(name, name)
        form.add_error(name if name in form.fields else None, messages)


def service_offices(user: User):
    return office_list(user=user).filter(kind=Office.Kind.SERVICE).order_by("id")


class QuotaFilterForm(forms.Form):
    year = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False, empty_value=None)
    office = forms.ModelChoiceField(
        label=_("Service office"), queryset=None, required=False, empty_label=_("All my offices")
    )

    def __init__(self, *args, user: User, years: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, str(y)) for y in years]
        self.fields["year"].initial = years[0]
        self.fields["office"].queryset = service_offices(user)


class AttitudeFilterForm(forms.Form):
    community = forms.ModelChoiceField(
        label=_("Community"), queryset=None, required=False, empty_label=_("All communities")
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = community_list(user=user).order_by("office_id", "name")


class AttitudeConfirmForm(forms.Form):
    attitude = forms.ChoiceField(choices=Attitude.choices)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class SurveyForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    channel = forms.ChoiceField(label=_("Channel"), choices=Survey.Channel.choices)
    frequency = forms.ChoiceField(
        label=_("Frequency"),
        choices=Survey.Frequency.choices,
        initial=Survey.Frequency.ONCE,
        help_text=_("A recurring survey starts its next round as a draft when the period ends."),
    )
    sample_size = forms.IntegerField(
        label=_("Sample size"),
        min_value=1,
        initial=50,
        help_text=_("Owners drawn at random when the survey opens; the draw can be repeated."),
    )
    office = forms.ModelChoiceField(
        label=_("Service office"),
        queryset=None,
        required=False,
        empty_label=_("Company-wide: every office"),
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        offices = service_offices(user)
        self.fields["office"].queryset = offices
        # Quality staff of one office survey that office unless they choose otherwise.
        if not is_company_wide(user) and "office" not in self.initial:
            only = list(offices[:2])
            if len(only) == 1:
                self.fields["office"].initial = only[0]


class QuestionForm(forms.Form):
    """One question. A row left without text is ignored."""

    code = forms.SlugField(
        label=_("Code"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    text = forms.CharField(label=_("Question"), max_length=300, required=False)
    kind = forms.ChoiceField(label=_("Answer"), choices=QUESTION_KINDS, initial="rating")
    service_line = forms.ChoiceField(
        label=_("Service line"), choices=ServiceLine.choices, initial=ServiceLine.OVERALL
    )

    @property
    def filled(self) -> bool:
        return bool((self.cleaned_data.get("text") or "").strip())


QuestionFormSet = forms.formset_factory(QuestionForm, extra=0, max_num=30, absolute_max=30)


def question_formset(data=None, *, add_row: bool = False) -> forms.BaseFormSet:
    """The question rows: at least three, one more when "add row" was pressed. The rows
    typed so far are kept (and not validated yet) when a row is added."""
    if data is None:
        return _numbered(QuestionFormSet(prefix="q", initial=[{}] * MIN_QUESTION_ROWS))
    data = data.copy()
    key = "q-TOTAL_FORMS"
    try:
        total = int(data.get(key) or 0)
    except ValueError:
        total = 0
    total = min(max(total, MIN_QUESTION_ROWS) + (1 if add_row else 0), 30)
    data[key] = str(total)
    data.setdefault("q-INITIAL_FORMS", "0")
    # A row just added has no choices yet: give it the defaults, not "required" errors.
    for i in range(total):
        data.setdefault(f"q-{i}-kind", "rating")
        data.setdefault(f"q-{i}-service_line", ServiceLine.OVERALL)
    return _numbered(QuestionFormSet(data, prefix="q"))


def _numbered(formset):
    # The code a row gets when left empty (questions_from), shown as its placeholder.
    for i, row in enumerate(formset.forms):
        row.fields["code"].widget.attrs["placeholder"] = f"q{i + 1}"
    return formset


def questions_from(formset) -> tuple[list[dict], list[int]]:
    """The filled rows as the service's question dicts, and each one's row index. A row
    without a code gets q<n> by its position."""
    questions, rows = [], []
    for i, row in enumerate(formset.forms):
        if not row.filled:
            continue
        d = row.cleaned_data
        questions.append(
            {
                "code": d.get("code") or f"q{i + 1}",
                "text": d["text"].strip(),
                "kind": d["kind"],
                "service_line": d["service_line"],
            }
        )
        rows.append(i)
    return questions, rows


class AnswerForm(forms.Form):
    """An owner's answers to one survey: a 1–5 radio per rating question, a text box per
    text question. Fields are named a0, a1 … by the question's position."""

    channel = forms.ChoiceField(
        label=_("Answered by"),
        choices=ENTRY_CHANNELS,
        initial=Survey.Channel.PHONE,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, survey: Survey, **kwargs):
        super().__init__(*args, **kwargs)
        self.codes: dict[str, str] = {}
        for i, q in enumerate(survey.questions):
            name = f"a{i}"
            self.codes[name] = q["code"]
            if q["kind"] == "rating":
                self.fields[name] = forms.TypedChoiceField(
                    label=q["text"],
                    choices=RATING_CHOICES,
                    coerce=int,
                    widget=forms.RadioSelect,
                )
            else:
                self.fields[name] = forms.CharField(
                    label=q["text"],
                    required=False,
                    max_length=1000,
                    widget=forms.Textarea(attrs={"rows": 2}),
                )
            self.fields[name].service_line = q.get("service_line", "")
        # The channel last, under the answers.
        self.order_fields([*self.codes, "channel"])

    def answers(self) -> dict:
        return {
            code: self.cleaned_data[name]
            for name, code in self.codes.items()
            if self.cleaned_data.get(name) not in (None, "")
        }

    def service_names(self) -> dict[str, str]:
        """The service's error keys (answers.<code>) → this form's field names."""
        return {f"answers.{code}": name for name, code in self.codes.items()}
