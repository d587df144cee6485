from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CITY_ADMIN = "city_admin", _("city administrator")
    DISTRICT_ADMIN = "district_admin", _("district administrator")
    STREET_STAFF = "street_staff", _("street staff")
    COMMUNITY_STAFF = "community_staff", _("community staff")
    GRID_WORKER = "grid_worker", _("grid worker")
    DEPARTMENT_HANDLER = "department_handler", _("department handler")
    RESEARCHER = "researcher", _("researcher")
    RESIDENT = "resident", _("resident")


class User(AbstractUser):
    """A person who signs in. Staff accounts hold one or more scopes (region codes)."""

    role = models.CharField(_("role"), max_length=24, choices=Role.choices, default=Role.RESIDENT)
    full_name = models.CharField(_("full name"), max_length=60, blank=True)
    organization = models.CharField(_("organisation"), max_length=100, blank=True)
    phone = models.CharField(_("mobile number"), max_length=11, blank=True)
    id_number = models.CharField(_("ID number"), max_length=18, blank=True)
    is_demo = models.BooleanField(_("generated demo account"), default=False)
    password_changed_at = models.DateTimeField(_("password changed"), null=True, blank=True)
    # set when an administrator chose the password: its owner sets their own at the next sign-in
    password_change_required = models.BooleanField(_("must change password"), default=False)

    # Personal fields and how each is masked (core.masking kinds).
    PERSONAL_FIELDS = {"phone": "phone", "id_number": "id_number"}

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        permissions = [
            ("view_personal_information", _("Can view personal information unmasked")),
        ]

    def __str__(self) -> str:
        return f"{self.full_name or self.username} ({self.username})"

    @property
    def region_code(self) -> str:
        """The first scope's code: where this account's own audit records are filed."""
        codes = sorted(s.region_id for s in self.scopes.all())
        return codes[0] if codes else ""


class Scope(models.Model):
    """A region an account may work in (权限范围): it sees every record whose code lies inside."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="scopes")
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "region"], name="unique_user_scope")]
        verbose_name = _("scope")
        verbose_name_plural = _("scopes")

    def __str__(self) -> str:
        return f"{self.user_id} → {self.region_id}"


class ApiToken(models.Model):
    """A bearer token for a machine client. Only its SHA-256 is stored; the key is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=12)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"))
    # a read-only token may only read (GET); one that may write acts with all its owner's rights
    read_only = models.BooleanField(_("read only"), default=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()


class LoginAttempt(models.Model):
    """Every sign-in attempt, successful or not: the lock-out counts the failures."""

    username = models.CharField(max_length=150, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    succeeded = models.BooleanField()

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.username} {self.at:%Y-%m-%d %H:%M} {'ok' if self.succeeded else 'failed'}"
