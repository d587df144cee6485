"""Writes about accounts: each runs in one transaction and appends an audit record."""

import hashlib
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shoushan.accounts.models import ApiToken, LoginAttempt, Role, Scope, User
from shoushan.accounts.roles import ADMINISTRATORS, SCOPED_ROLES, require_role
from shoushan.accounts.scope import in_scope
from shoushan.audit.services import audit_record
from shoushan.core.errors import InvalidInput, NotFound
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


# ---- API tokens --------------------------------------------------------------------------------


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def api_token_create(*, actor: User, name: str) -> tuple[ApiToken, str]:
    """A new token for the actor's own machine client; the key is returned once, never stored."""
    name = name.strip()
    if not name:
        raise InvalidInput(_("Give the token a name, such as the client that will use it."))
    key = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=actor, name=name[:100], prefix=key[:10], key_hash=_hash(key)
        )
        audit_record(
            actor=actor,
            action="api_token.create",
            obj=token,
            region_code=actor.region_code,
            changes={"name": token.name, "prefix": token.prefix},
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


def api_token_authenticate(key: str) -> User | None:
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=_hash(key), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)  # bookkeeping, not audited
    return token.user
