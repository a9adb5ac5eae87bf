"""Company settings of the monthly analysis (DOMAIN §5: thresholds are defaults)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from org.models import Company


class ReportSettings(models.Model):
    company = models.OneToOneField(
        Company, verbose_name=_("company"), on_delete=models.CASCADE, related_name="report_settings"
    )
    repeat_complaint_threshold = models.PositiveSmallIntegerField(
        _("same matter complained about (times)"), default=2
    )
    repeat_repair_threshold = models.PositiveSmallIntegerField(_("same repair (times)"), default=3)

    class Meta:
        verbose_name = _("report settings")
        verbose_name_plural = _("report settings")

    def __str__(self) -> str:
        return f"{self.company} report settings"


class MonthlyReview(models.Model):
    """The written monthly report to the office manager: one proposed solution per
    finding (unqualified visit, repeated complaint, repeated repair)."""

    company = models.ForeignKey(
        Company, verbose_name=_("company"), on_delete=models.CASCADE, related_name="+"
    )
    scope = models.CharField(max_length=40)  # "community:<id>", "office:<id>" or "company"
    month = models.CharField(max_length=7)
    finding = models.CharField(max_length=80)  # e.g. "repeat_repair:unit:12:water"
    proposal = models.TextField(_("proposed solution"), blank=True)
    updated_by = models.ForeignKey(
        "org.User", on_delete=models.PROTECT, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["company", "scope", "month", "finding"], name="review_finding_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.month} {self.finding}"
