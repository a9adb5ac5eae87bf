"""Owner relations (客户关系, DOMAIN §2, §5): contact quotas, satisfaction surveys."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from org.models import Company


class QuotaRule(models.Model):
    """A yearly contact quota (DOMAIN §5): households contacted per person of a role or
    department, or a department's share of the households its office manages."""

    class Measure(models.TextChoices):
        PER_PERSON = "per_person", _("Households per person")
        SHARE = "share_of_households", _("Share of the office's households (%)")

    company = models.ForeignKey(
        Company, verbose_name=_("company"), on_delete=models.CASCADE, related_name="+"
    )
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=100)
    role = models.CharField(_("role"), max_length=20, blank=True)
    department_kind = models.CharField(_("department kind"), max_length=20, blank=True)
    measure = models.CharField(_("measure"), max_length=20, choices=Measure)
    target = models.PositiveIntegerField(_("target"))
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("contact quota")
        verbose_name_plural = _("contact quotas")
        ordering = ["company_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["company", "code"], name="quota_rule_code_unique")
        ]

    def __str__(self) -> str:
        return self.name


class ServiceLine(models.TextChoices):
    CUSTOMER_SERVICE = "customer_service", _("Customer service")
    ENGINEERING = "engineering", _("Engineering and repairs")
    SECURITY = "security", _("Security and order")
    CLEANING = "cleaning", _("Cleaning and environment")
    FEES = "fees", _("Fees and accounting")
    OVERALL = "overall", _("Overall")


class Survey(models.Model):
    """A satisfaction survey run by quality & training (品训部, DOMAIN §5): questions,
    a reproducible sample of owners, a channel, and how often it recurs."""

    class Channel(models.TextChoices):
        PHONE = "phone", _("Phone")
        PORTAL = "portal", _("Owner portal")
        PAPER = "paper", _("Paper")

    class Frequency(models.TextChoices):
        ONCE = "once", _("Once")
        MONTHLY = "monthly", _("Monthly")
        QUARTERLY = "quarterly", _("Quarterly")
        HALF_YEARLY = "half_yearly", _("Every half year")
        YEARLY = "yearly", _("Yearly")

    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("survey status", "Draft")
        OPEN = "open", pgettext_lazy("survey status", "Open")
        CLOSED = "closed", pgettext_lazy("survey status", "Closed")

    company = models.ForeignKey(
        Company, verbose_name=_("company"), on_delete=models.CASCADE, related_name="+"
    )
    office = models.ForeignKey(
        "org.Office",
        verbose_name=_("service office"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty: every office of the company"),
    )
    title = models.CharField(_("title"), max_length=200)
    # [{"code": "q1", "text": "…", "service_line": "engineering", "kind": "rating"|"text"}]
    questions = models.JSONField(_("questions"))
    channel = models.CharField(_("channel"), max_length=10, choices=Channel)
    frequency = models.CharField(
        _("frequency"), max_length=12, choices=Frequency, default=Frequency.ONCE
    )
    sample_size = models.PositiveIntegerField(_("sample size"))
    status = models.CharField(max_length=10, choices=Status, default=Status.DRAFT)
    round = models.PositiveSmallIntegerField(default=1)
    previous = models.OneToOneField(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="next_round"
    )
    created_by = models.ForeignKey("org.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("satisfaction survey")
        verbose_name_plural = _("satisfaction surveys")
        ordering = ["-id"]

    def __str__(self) -> str:
        return self.title


class SurveyInvitation(models.Model):
    """One owner in a survey's sample."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="invitations")
    person = models.ForeignKey("estate.Person", on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey("estate.Unit", on_delete=models.PROTECT, null=True, related_name="+")
    community = models.ForeignKey("estate.Community", on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["survey", "person"], name="survey_person_unique")
        ]

    def __str__(self) -> str:
        return f"{self.survey_id}:{self.person_id}"


class SurveyResponse(models.Model):
    invitation = models.OneToOneField(
        SurveyInvitation, on_delete=models.CASCADE, related_name="response"
    )
    answers = models.JSONField()  # {"q1": 5, "q2": "…"}
    channel = models.CharField(max_length=10, choices=Survey.Channel)
    entered_by = models.ForeignKey(
        "org.User", on_delete=models.PROTECT, null=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"response {self.invitation_id}"
