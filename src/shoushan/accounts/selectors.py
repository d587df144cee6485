import base64
import binascii
from datetime import timedelta

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice, default_key

from shoushan.accounts.models import ApiToken, User
from shoushan.accounts.roles import ADMINISTRATORS, VIEW_USERS
from shoushan.accounts.scope import scope_filter, scoped_get, sees_unplaced_records
from shoushan.core.errors import Forbidden

USER_SCOPE_FIELD = "scopes__region__code"  # an account is in scope when one of its scopes is


def _require_view_users(viewer) -> None:
    if not viewer.has_perm(VIEW_USERS):
        raise Forbidden(_("Your role cannot see other accounts."))


def user_list(viewer, *, search: str = "", role: str = "") -> QuerySet[User]:
    _require_view_users(viewer)
    users = scope_filter(User.objects.all(), viewer, USER_SCOPE_FIELD)
    if sees_unplaced_records(viewer):  # accounts without a scope: researchers, residents
        users = users | User.objects.filter(scopes__isnull=True)
    if search:
        users = users.filter(
            Q(username__icontains=search)
            | Q(full_name__contains=search)
            | Q(organization__contains=search)
        )
    if role:
        users = users.filter(role=role)
    ids = users.values("pk")  # scope joins can repeat a user; select each once
    return User.objects.filter(pk__in=ids).prefetch_related("scopes__region").order_by("username")


def user_get(viewer, user_id: int) -> User:
    _require_view_users(viewer)
    users = User.objects.prefetch_related("scopes__region")
    if sees_unplaced_records(viewer) and users.filter(pk=user_id, scopes__isnull=True).exists():
        return users.get(pk=user_id)
    return scoped_get(users, viewer, USER_SCOPE_FIELD, pk=user_id)


def api_token_list(user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user)


# ---- the identity policy: what a signed-in person must still do --------------------------------


def two_factor_required(user: User) -> bool:
    """Whether the account must sign in with a second factor (TWO_FACTOR_REQUIRED_FOR). Generated
    demo accounts are exempt: their passwords are published, so a second factor would protect
    nothing and only keep people from trying the demo."""
    if user.is_demo:
        return False
    policy = settings.TWO_FACTOR_REQUIRED_FOR
    return policy == "everyone" or (policy == "administrators" and user.role in ADMINISTRATORS)


def two_factor_device(user: User) -> TOTPDevice | None:
    """The account's authenticator app, once set up."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def password_change_due(user: User) -> bool:
    """An administrator chose the password, or it is older than PASSWORD_MAX_AGE_DAYS (demo
    accounts keep their published one)."""
    if user.is_demo:
        return False
    if user.password_change_required:
        return True
    days = settings.PASSWORD_MAX_AGE_DAYS
    changed = user.password_changed_at or user.date_joined
    return days > 0 and timezone.now() - changed > timedelta(days=days)


def sign_in_step(user: User, *, verified: bool) -> str | None:
    """What the signed-in person must do before anything else: "two_factor" (enter a code),
    "two_factor_setup" (add an authenticator app), "password" (choose a new password) or nothing.
    `verified`: this session has passed the second factor."""
    if not verified and two_factor_device(user) is not None:
        return "two_factor"
    if not verified and two_factor_required(user):
        return "two_factor_setup"
    if password_change_due(user):
        return "password"
    return None


def two_factor_key_new() -> str:
    """A fresh authenticator key (hex), shown to its owner until they confirm it with a code."""
    return default_key()


def two_factor_setup_codes(user: User, key: str) -> tuple[str, str]:
    """The otpauth:// address an authenticator app reads from the QR code, and the key as an app
    asks for it when typed in (base32, in groups of four)."""
    secret = base64.b32encode(binascii.unhexlify(key)).decode()
    return (
        TOTPDevice(user=user, key=key).config_url,
        " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
    )
