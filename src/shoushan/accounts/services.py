"""Writes about accounts: each runs in one transaction and appends an audit record."""

import binascii
import hashlib
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from shoushan.accounts.models import ApiToken, LoginAttempt, Role, Scope, User
from shoushan.accounts.roles import (
    ADMINISTRATORS,
    CITY_ADMINISTRATORS,
    SCOPED_ROLES,
    has_role,
    require_role,
)
from shoushan.accounts.scope import in_scope
from shoushan.accounts.selectors import two_factor_required, user_get
from shoushan.audit.services import audit_record
from shoushan.core.errors import Forbidden, InvalidInput, NotFound
from shoushan.core.limits import limit_clear, limit_reached_until, limit_take
from shoushan.core.validators import InvalidNumber, normalise_id_number, normalise_mobile
from shoushan.regions.models import Region

TOKEN_PREFIX = "ss_"


# ---- sign-in lock-out --------------------------------------------------------------------------


def _login_key(username: str) -> str:
    return f"login:{username.strip().lower()}"


def _window_seconds() -> float:
    return settings.LOGIN_LOCKOUT_MINUTES * 60


def login_attempt_allowed(*, username: str, ip_address: str | None) -> bool:
    """Take a place for one sign-in attempt, before the password is checked: at most
    LOGIN_MAX_FAILURES attempts of an account in a row without a success, and
    LOGIN_MAX_PER_ADDRESS from one address, per LOGIN_LOCKOUT_MINUTES. Counted atomically, so
    concurrent attempts cannot all slip under the limit."""
    if ip_address and not limit_take(
        f"login-address:{ip_address}",
        limit=settings.LOGIN_MAX_PER_ADDRESS,
        seconds=_window_seconds(),
    ):
        return False
    return limit_take(
        _login_key(username), limit=settings.LOGIN_MAX_FAILURES, seconds=_window_seconds()
    )


def login_locked_until(*, username: str) -> datetime | None:
    """When the lock on this account ends, if its attempts reached LOGIN_MAX_FAILURES in the
    window (a success clears the count)."""
    return limit_reached_until(
        _login_key(username), limit=settings.LOGIN_MAX_FAILURES, seconds=_window_seconds()
    )


def login_attempt_record(*, username: str, ip_address: str | None, succeeded: bool) -> None:
    """Keep the attempt, and audit it: a success, a failure, and the lock a failure completes."""
    with transaction.atomic():
        LoginAttempt.objects.create(
            username=username.lower()[:150], ip_address=ip_address, succeeded=succeeded
        )
        if succeeded:
            limit_clear(_login_key(username))
        user = User.objects.filter(username__iexact=username).first()
        actions = ["session.login"] if succeeded else ["session.login_failed"]
        if not succeeded and login_locked_until(username=username) is not None:
            actions.append("account.lock")
        for action in actions:
            audit_record(
                actor=user if succeeded else None,
                action=action,
                object_type="accounts.user",
                object_id=str(user.pk) if user else "",
                object_repr=username[:150],
                region_code=user.region_code if user else "",
                changes={"ip_address": ip_address},
            )


# ---- accounts ----------------------------------------------------------------------------------


def user_create(
    *,
    actor: User | None,
    username: str,
    password: str,
    role: str,
    full_name: str = "",
    organization: str = "",
    phone: str = "",
    id_number: str = "",
    scope_codes: list[str] | tuple[str, ...] = (),
    is_demo: bool = False,
) -> User:
    """Create an account. `actor` None means the system (a command); a person (a city or district
    administrator) may only give scopes inside their own."""
    require_role(
        actor, ADMINISTRATORS, _("Accounts are created by city and district administrators.")
    )
    errors: dict[str, str] = {}
    if role not in Role.values:
        errors["role"] = _("Unknown role.")
    elif role == Role.CITY_ADMIN and actor is not None and not has_role(actor, CITY_ADMINISTRATORS):
        errors["role"] = _("Only a city administrator creates city administrators.")
    if User.objects.filter(username__iexact=username).exists():
        errors["username"] = _("This username is taken.")
    try:
        phone = normalise_mobile(phone) if phone else ""
    except InvalidNumber as e:
        errors["phone"] = _(str(e))
    try:
        id_number = normalise_id_number(id_number, today=timezone.localdate()) if id_number else ""
    except InvalidNumber as e:
        errors["id_number"] = _(str(e))
    regions = list(Region.objects.filter(code__in=scope_codes))
    missing = sorted(set(scope_codes) - {r.code for r in regions})
    if missing:
        errors["scope_codes"] = _("Unknown region codes: %(codes)s") % {"codes": ", ".join(missing)}
    elif actor is not None and any(not in_scope(actor, r.code) for r in regions):
        errors["scope_codes"] = _("You can only give scopes inside your own.")
    if role in SCOPED_ROLES and not scope_codes:
        errors["scope_codes"] = _("This role works in a region: give it at least one scope.")
    try:
        validate_password(password, User(username=username, full_name=full_name))
    except ValidationError as e:
        errors["password"] = " ".join(e.messages)
    if errors:
        raise InvalidInput(_("The account was not created."), details=errors)

    with transaction.atomic():
        user = User(
            username=username,
            role=role,
            full_name=full_name,
            organization=organization,
            phone=phone,
            id_number=id_number,
            is_demo=is_demo,
            password_changed_at=timezone.now(),
            # a password an administrator chose is known to two people: its owner replaces it
            password_change_required=actor is not None,
        )
        user.set_password(password)
        user.save()
        Scope.objects.bulk_create([Scope(user=user, region=r) for r in regions])
        audit_record(
            actor=actor,
            action="user.create",
            obj=user,
            region_code=user.region_code,
            changes={
                "username": username,
                "role": role,
                "full_name": full_name,
                "organization": organization,
                "phone": phone,
                "id_number": id_number,
                "scopes": sorted(r.code for r in regions),
                "is_demo": is_demo,
            },
            personal_fields=User.PERSONAL_FIELDS,
        )
    return user


def user_password_change(*, actor: User, old_password: str, new_password: str) -> User:
    """The actor replaces their own password: the old one must be right and the new one must pass
    the password rules and differ from it. Other sessions of the account end (Django ties a
    session to the password)."""
    errors: dict[str, str] = {}
    if not actor.check_password(old_password):
        errors["old_password"] = _("Your current password is not right.")
    elif new_password == old_password:
        errors["new_password"] = _("Choose a password different from the current one.")
    else:
        try:
            validate_password(new_password, actor)
        except ValidationError as e:
            errors["new_password"] = " ".join(e.messages)
    if errors:
        raise InvalidInput(_("The password was not changed."), details=errors)
    with transaction.atomic():
        actor.set_password(new_password)
        actor.password_changed_at = timezone.now()
        actor.password_change_required = False
        actor.save(update_fields=["password", "password_changed_at", "password_change_required"])
        audit_record(
            actor=actor,
            action="user.password_change",
            obj=actor,
            region_code=actor.region_code,
            changes={"password_changed_at": actor.password_changed_at.isoformat()},
        )
    return actor


def password_generate() -> str:
    """A password an administrator hands over once: 14 characters from an alphabet without
    look-alikes (0/O, 1/l/I), with a letter, a digit and a sign so that every rule passes."""
    letters = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ"
    alphabet = letters + "23456789"
    body = "".join(secrets.choice(alphabet) for _ in range(11))
    return body + secrets.choice(letters) + secrets.choice("23456789") + secrets.choice("-+#@")


def user_password_reset(*, actor: User, user_id: int) -> tuple[User, str]:
    """An administrator gives an account in their scope a new generated password (its owner
    forgot theirs): (account, the password, shown once). The owner must replace it at the next
    sign-in; a lock-out on the account ends with it."""
    require_role(actor, ADMINISTRATORS, _("Only administrators reset passwords."))
    user = user_get(actor, user_id)  # 404 outside the administrator's scope
    if user.pk == actor.pk:
        raise InvalidInput(_("Change your own password on your account page."))
    password = password_generate()
    with transaction.atomic():
        user.set_password(password)
        user.password_changed_at = timezone.now()
        user.password_change_required = True
        user.save(update_fields=["password", "password_changed_at", "password_change_required"])
        limit_clear(_login_key(user.username))
        audit_record(
            actor=actor, action="user.password_reset", obj=user, region_code=user.region_code
        )
    return user, password


def user_unlock(*, actor: User, user_id: int) -> User:
    """An administrator ends the sign-in lock-out of an account in their scope."""
    require_role(actor, ADMINISTRATORS, _("Only administrators unlock accounts."))
    user = user_get(actor, user_id)
    with transaction.atomic():
        limit_clear(_login_key(user.username))
        audit_record(actor=actor, action="account.unlock", obj=user, region_code=user.region_code)
    return user


# ---- the second factor (TOTP) ------------------------------------------------------------------


def two_factor_enable(*, actor: User, key: str, code: str) -> TOTPDevice:
    """Turn the second factor on with the authenticator key the actor was shown
    (selectors.two_factor_key_new), once they show a code their app makes from it; an earlier
    device of theirs is replaced."""
    totp = _totp(key)
    if totp is None or not totp.verify(_number(code), tolerance=1):
        raise InvalidInput(
            _("This code is not right. Check the time on your phone and try the next code.")
        )
    with transaction.atomic():
        TOTPDevice.objects.filter(user=actor).delete()
        device = TOTPDevice.objects.create(
            user=actor, name="authenticator", key=key, confirmed=True, last_t=totp.t()
        )
        audit_record(
            actor=actor,
            action="two_factor.enable",
            obj=actor,
            region_code=actor.region_code,
            changes={"device": device.persistent_id},
        )
    return device


def two_factor_check(*, actor: User, code: str) -> TOTPDevice:
    """The device that accepts the actor's code at sign-in. Each wrong code doubles the wait
    before the next try (1, 2, 4 … seconds) and is audited."""
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(user=actor, confirmed=True).first()
        if device is None:
            raise InvalidInput(_("You have no authenticator app set up."))
        allowed, _reason = device.verify_is_allowed()
        if not allowed:
            raise InvalidInput(_("Too many wrong codes: wait a few seconds and try again."))
        accepted = device.verify_token(_number(code))
        if not accepted:
            audit_record(
                actor=actor,
                action="two_factor.failed",
                obj=actor,
                region_code=actor.region_code,
                changes={"failures": device.throttling_failure_count},
            )
    if not accepted:
        raise InvalidInput(_("This code is not right."))
    return device


def two_factor_disable(*, actor: User, code: str) -> None:
    """The actor turns their own second factor off, with a code from it, where it is not
    required of them."""
    if two_factor_required(actor):
        raise Forbidden(_("Your role must sign in with a second factor."))
    two_factor_check(actor=actor, code=code)
    _two_factor_delete(actor=actor, user=actor)


def two_factor_reset(*, actor: User | None, user_id: int) -> User:
    """An administrator (or the platform: `shoushan two_factor_reset`) removes the second factor
    of an account in their scope, when its phone is lost; a required one is set up again at the
    next sign-in."""
    require_role(actor, ADMINISTRATORS, _("Only administrators reset a second factor."))
    if actor is None:
        user = User.objects.filter(pk=user_id).first()
        if user is None:
            raise NotFound(_("No such account."))
    else:
        user = user_get(actor, user_id)  # 404 outside the administrator's scope
    _two_factor_delete(actor=actor, user=user)
    return user


def _two_factor_delete(*, actor: User | None, user: User) -> None:
    with transaction.atomic():
        removed, _counts = TOTPDevice.objects.filter(user=user).delete()
        if removed:
            audit_record(
                actor=actor, action="two_factor.disable", obj=user, region_code=user.region_code
            )


def _totp(key: str) -> TOTP | None:
    try:
        return TOTP(binascii.unhexlify(key.encode()))
    except (ValueError, binascii.Error):
        return None


def _number(code: str) -> int:
    digits = "".join(code.split())  # apps show "123 456"
    return int(digits) if digits.isdigit() and len(digits) <= 8 else -1


# ---- API tokens --------------------------------------------------------------------------------


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def api_token_create(
    *, actor: User, name: str, days: int = 90, read_only: bool = True
) -> tuple[ApiToken, str]:
    """A new token for the actor's own machine client, valid `days` (at most a year) and read
    only unless asked otherwise; the key is returned once, never stored."""
    name = name.strip()
    if not name:
        raise InvalidInput(_("Give the token a name, such as the client that will use it."))
    if not 1 <= days <= settings.API_TOKEN_MAX_DAYS:
        raise InvalidInput(
            _("A token is valid for 1 to %(n)s days.") % {"n": settings.API_TOKEN_MAX_DAYS}
        )
    key = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=actor,
            name=name[:100],
            prefix=key[:10],
            key_hash=_hash(key),
            expires_at=timezone.now() + timedelta(days=days),
            read_only=read_only,
        )
        audit_record(
            actor=actor,
            action="api_token.create",
            obj=token,
            region_code=actor.region_code,
            changes={
                "name": token.name,
                "prefix": token.prefix,
                "expires_at": token.expires_at.isoformat(),
                "read_only": read_only,
            },
        )
    return token, key


def api_token_revoke(*, actor: User, token_id: int) -> ApiToken:
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().filter(user=actor, pk=token_id).first()
        if token is None:
            raise NotFound(_("No such token."))
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            audit_record(
                actor=actor,
                action="api_token.revoke",
                obj=token,
                region_code=actor.region_code,
                changes={"revoked_at": token.revoked_at.isoformat()},
            )
    return token


class TokenRefused(Exception):
    """An API token that cannot be used for this request; the message says why."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def api_token_authenticate(key: str, *, writes: bool) -> User:
    """The user of a live token (not revoked, not expired, its account active). TokenRefused
    otherwise; Forbidden for a request that would change something (`writes`) with a read-only
    token."""
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=_hash(key), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        raise TokenRefused(_("This API token is not valid: it was revoked, or it was mistyped."))
    if token.is_expired:
        raise TokenRefused(
            _("This API token expired on %(date)s: create a new one on the API tokens page.")
            % {"date": timezone.localtime(token.expires_at).strftime("%Y-%m-%d %H:%M")}
        )
    if writes and token.read_only:  # a valid token without the right: 403, not 401
        raise Forbidden(_("This API token may only read: this request would change something."))
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)  # bookkeeping, not audited
    return token.user
