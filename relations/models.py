"""Owner relations (客户关系, DOMAIN §2, §5): contact quotas, satisfaction surveys."""

from django.db import models
from django.utils.translation import gettext_lazy as _

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
