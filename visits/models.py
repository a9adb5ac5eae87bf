"""Return visits (回访): the rules, the visits they generate, and the signed records
(DOMAIN §5; API.md Return visits)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from estate.models import Person, Unit
from org.models import Company, Office
from tickets.models import Ticket


class Visitor(models.TextChoices):
    """Who makes the visit a rule asks for."""

    OFFICE_MANAGER = "office_manager", _("Office manager")
    PROPERTY_STAFF = "property_staff", _("Property staff (customer service)")
    ASSIGNEE = "assignee", _("Whoever handled the ticket")


class VisitRule(models.Model):
    """For one kind of resolved work: the share of cases to visit, the window after
    resolution (calendar days) and who visits. Editable per company."""

    company = models.ForeignKey(
        Company, verbose_name=_("company"), on_delete=models.CASCADE, related_name="visit_rules"
    )
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("ticket kind"), max_length=20)
    area = models.CharField(_("area"), max_length=10, blank=True, help_text=_("Empty: any area"))
    severity = models.CharField(_("severity"), max_length=10, blank=True, help_text=_("Empty: any"))
    share_percent = models.PositiveSmallIntegerField(_("share of cases visited (%)"))
    window_start_days = models.PositiveSmallIntegerField(_("window opens (days after resolution)"))
    window_end_days = models.PositiveSmallIntegerField(_("window closes (days after resolution)"))
    visitor = models.CharField(_("who visits"), max_length=20, choices=Visitor)
    priority = models.PositiveSmallIntegerField(
        _("priority"),
        default=100,
        help_text=_("The most specific rule should have the lowest number."),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("return-visit rule")
        verbose_name_plural = _("return-visit rules")
        ordering = ["company_id", "priority", "id"]
        constraints = [
            models.UniqueConstraint(fields=["company", "code"], name="visit_rule_code_unique")
        ]

    def __str__(self) -> str:
        return self.name


class SamplingCounter(models.Model):
    """Resolved cases and visits chosen so far, per office, rule and month (company time)."""

    office = models.ForeignKey(
        Office, verbose_name=_("service office"), on_delete=models.CASCADE, related_name="+"
    )
    rule = models.ForeignKey(VisitRule, on_delete=models.CASCADE, related_name="+")
    month = models.CharField(max_length=7)  # YYYY-MM
    resolved = models.PositiveIntegerField(default=0)
    selected = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["office", "rule", "month"], name="sampling_counter_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.office_id}/{self.rule_id}/{self.month}: {self.selected}/{self.resolved}"


class SamplingDecision(models.Model):
    """Why a resolved ticket was (or was not) chosen for a return visit: the audit trail."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="visit_decisions")
    rule = models.ForeignKey(VisitRule, on_delete=models.PROTECT, related_name="+")
    month = models.CharField(max_length=7)
    resolved_in_month = models.PositiveIntegerField()  # n, this case included
    selected_before = models.PositiveIntegerField()  # k, before this case
    required = models.PositiveIntegerField()  # ceil(share × n)
    selected = models.BooleanField()
    reason = models.CharField(max_length=200)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        # "Already decided for this ticket, rule and month?" is asked on every resolution.
        indexes = [
            models.Index(fields=["ticket", "rule", "month"], name="sampling_decision_lookup_idx")
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id}: {self.reason}"


class ReturnVisit(models.Model):
    """A visit to make: after a resolved ticket, or a routine one (no ticket).

    Its state is computed: done when recorded; overdue when not done after `due_by`;
    otherwise due (from `due_from`) or upcoming.
    """

    class Purpose(models.TextChoices):
        TICKET = "ticket", _("After a resolved request")
        ROUTINE = "routine", _("Routine home visit")
        FESTIVAL = "festival", _("Festival visit")
        TOPIC = "topic", _("Topic survey")

    company = models.ForeignKey(
        Company, verbose_name=_("company"), on_delete=models.PROTECT, related_name="+"
    )
    office = models.ForeignKey(
        Office,
        verbose_name=_("service office"),
        on_delete=models.PROTECT,
        related_name="return_visits",
    )
    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, null=True, blank=True, related_name="return_visits"
    )
    rule = models.ForeignKey(
        VisitRule, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    purpose = models.CharField(max_length=20, choices=Purpose, default=Purpose.TICKET)
    topic = models.CharField(_("topic"), max_length=200, blank=True)
    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="return_visits",
    )
    due_from = models.DateTimeField()
    due_by = models.DateTimeField()
    # The month the visit is counted in (YYYY-MM, company time): the month its ticket
    # was resolved, or the month a routine visit is due.
    period = models.CharField(max_length=7, db_index=True)
    done_at = models.DateTimeField(null=True, blank=True)  # visited_at of the first record
    qualified = models.BooleanField(null=True)  # of the current record
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("return visit")
        verbose_name_plural = _("return visits")
        ordering = ["due_by", "id"]
        indexes = [
            models.Index(fields=["office", "done_at", "due_by"], name="visit_office_due_idx"),
            models.Index(fields=["assignee", "done_at", "due_by"], name="visit_assignee_due_idx"),
            # Whose turn is the next visit: each candidate's latest visit, one probe each.
            models.Index(fields=["assignee", "-id"], name="visit_assignee_latest_idx"),
        ]

    def __str__(self) -> str:
        return f"visit {self.id}"


class VisitRecord(models.Model):
    """What the visit found, confirmed by the owner. Once signed it is never edited:
    a correction is a new version that points at the one it corrects."""

    class Method(models.TextChoices):
        PHONE = "phone", _("Phone")
        FACE_TO_FACE = "face_to_face", _("Face to face")
        ON_SITE = "on_site", _("On site")

    class SignatureKind(models.TextChoices):
        DRAWN = "drawn", _("Drawn on screen")
        SMS_CODE = "sms_code", _("One-time code by SMS")

    visit = models.ForeignKey(ReturnVisit, on_delete=models.CASCADE, related_name="records")
    version = models.PositiveSmallIntegerField(default=1)
    supersedes = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="superseded_by"
    )
    method = models.CharField(_("method"), max_length=20, choices=Method)
    visited_at = models.DateTimeField(_("visited at"))
    quality = models.TextField(_("quality evaluation"), blank=True)
    result = models.TextField(_("evaluation of the result"), blank=True)
    satisfaction = models.PositiveSmallIntegerField(_("satisfaction (1–5)"))
    shortcomings = models.TextField(_("shortcomings"), blank=True)
    opinions = models.TextField(_("owner's opinions"), blank=True)
    qualified = models.BooleanField(_("qualified"))
    signature_kind = models.CharField(max_length=10, choices=SignatureKind, blank=True)
    signature_image = models.BinaryField(null=True, blank=True)  # PNG of a drawn signature
    signature_phone = models.CharField(max_length=20, blank=True)  # where the code was sent
    signed_at = models.DateTimeField(null=True, blank=True)
    content_hash = models.CharField(max_length=64, blank=True)  # SHA-256 of the signed content
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    correction_reason = models.TextField(blank=True)

    class Meta:
        verbose_name = _("visit record")
        verbose_name_plural = _("visit records")
        ordering = ["visit_id", "version"]
        constraints = [
            models.UniqueConstraint(fields=["visit", "version"], name="visit_record_version_unique")
        ]

    def __str__(self) -> str:
        return f"visit {self.visit_id} v{self.version}"


class SignatureCode(models.Model):
    """A one-time code sent to the owner's phone to confirm a visit record."""

    visit = models.ForeignKey(ReturnVisit, on_delete=models.CASCADE, related_name="codes")
    phone = models.CharField(max_length=20)
    code_hash = models.CharField(max_length=64)
    sent_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"code for visit {self.visit_id}"


class VisitEvent(models.Model):
    """The visit's timeline: planned, reassigned, recorded, corrected, code sent…"""

    visit = models.ForeignKey(ReturnVisit, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    action = models.CharField(max_length=30)
    text = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.visit_id} {self.action}"
