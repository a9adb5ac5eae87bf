"""Who works: company → service offices → departments, and the staff users."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Company(models.Model):
    """A property-management company: the tenant boundary. Nothing crosses it."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    timezone = models.CharField(_("time zone"), max_length=64, default="Asia/Shanghai")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("company")
        verbose_name_plural = _("companies")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class Office(models.Model):
    """A service office (物业服务处/管理处), or the company's 24-hour 400 hotline centre."""

    class Kind(models.TextChoices):
        SERVICE = "service", _("Service office")
        HOTLINE_CENTRE = "hotline_centre", _("400 hotline centre")

    company = models.ForeignKey(
        Company, verbose_name=_("company"), on_delete=models.PROTECT, related_name="offices"
    )
    code = models.SlugField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind, default=Kind.SERVICE)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("service office")
        verbose_name_plural = _("service offices")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["company", "code"], name="office_code_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class Department(models.Model):
    class Kind(models.TextChoices):
        CUSTOMER_SERVICE = "customer_service", _("Customer service centre")
        ENGINEERING = "engineering", _("Engineering")
        SECURITY = "security", _("Security")
        CLEANING = "cleaning", _("Cleaning")
        QUALITY = "quality", _("Quality & training")
        ACCOUNTING = "accounting", _("Accounting")
        OFFICE = "office", _("Office")

    office = models.ForeignKey(
        Office,
        verbose_name=_("service office"),
        on_delete=models.PROTECT,
        related_name="departments",
    )
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind)

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["office", "name"], name="department_name_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.office.name} · {self.name}"


class Role(models.TextChoices):
    HOTLINE_AGENT = "hotline_agent", _("Hotline agent")
    RECEPTIONIST = "receptionist", _("Receptionist")
    STAFF = "staff", _("Department staff")
    SUPERVISOR = "supervisor", _("Department supervisor")
    OFFICE_MANAGER = "office_manager", _("Office manager")
    QUALITY = "quality", _("Quality & training")
    COMPANY_ADMIN = "company_admin", _("Company admin")


class User(AbstractUser):
    """A staff member (or the platform superuser, who has no company).

    `roles` is a list of `Role` values; `offices` and `departments` say where the
    person works. A supervisor supervises the departments listed on them.
    """

    company = models.ForeignKey(
        Company,
        verbose_name=_("company"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
    )
    name = models.CharField(_("full name"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    roles = models.JSONField(_("roles"), default=list, blank=True)
    offices = models.ManyToManyField(Office, blank=True, related_name="staff")
    departments = models.ManyToManyField(Department, blank=True, related_name="staff")
    # The desk phone's extension: a pushed call for it pops on this user's desk page.
    extension = models.CharField(_("extension"), max_length=20, blank=True)
    # Round-robin dispatch shares work only among staff on duty.
    on_duty = models.BooleanField(_("on duty"), default=True)

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")

    def __str__(self) -> str:
        return self.name or self.username

    def has_role(self, *roles: str) -> bool:
        return any(r in self.roles for r in roles)


class ApiToken(models.Model):
    """A bearer token for the API. Only its SHA-256 digest is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"token of {self.user_id}"
