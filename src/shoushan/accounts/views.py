import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from shoushan.accounts import selectors, services
from shoushan.accounts.forms import (
    ApiTokenForm,
    LoginForm,
    PasswordChangeForm,
    TwoFactorCodeForm,
    UserCreateForm,
)
from shoushan.accounts.models import Role, User
from shoushan.accounts.personal import personal_values
from shoushan.accounts.roles import ADMINISTRATORS, has_role
from shoushan.core.errors import InvalidInput
from shoushan.core.exports import csv_response


@login_not_required
def login(request: HttpRequest) -> HttpResponse:
    return auth_views.LoginView.as_view(
        template_name="accounts/login.html",
        authentication_form=LoginForm,
        redirect_authenticated_user=True,
        extra_context={"idle_minutes": settings.SESSION_IDLE_MINUTES},
    )(request)


def logout(request: HttpRequest) -> HttpResponse:
    """Signing out is a POST (with CSRF); a GET, from a bookmark say, asks for the click."""
    if request.method == "POST":
        return auth_views.LogoutView.as_view()(request)
    return render(request, "accounts/logout.html")


NEW_TOKEN_SESSION_KEY = "new_api_token"


def token_list(request: HttpRequest) -> HttpResponse:
    """Create and revoke tokens. A new key is kept in the session just long enough to be shown
    once after the redirect (so that reloading the page does not make a second token)."""
    form = ApiTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        _token, key = services.api_token_create(actor=request.user, **form.cleaned_data)
        request.session[NEW_TOKEN_SESSION_KEY] = key
        return redirect("accounts:tokens")
    new_key = request.session.pop(NEW_TOKEN_SESSION_KEY, None)
    return render(
        request,
        "accounts/tokens.html",
        {"tokens": selectors.api_token_list(request.user), "form": form, "new_key": new_key},
        status=422 if form.errors else 200,
    )


@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    token = services.api_token_revoke(actor=request.user, token_id=token_id)
    messages.success(request, _("Token “%(name)s” is revoked.") % {"name": token.name})
    return redirect("accounts:tokens")


def user_list(request: HttpRequest) -> HttpResponse:
    search, role = request.GET.get("q", "").strip(), request.GET.get("role", "")
    page = Paginator(selectors.user_list(request.user, search=search, role=role), 50).get_page(
        request.GET.get("page")
    )
    rows = list(
        zip(
            page,
            personal_values(request.user, list(page), User.PERSONAL_FIELDS, purpose="page"),
            strict=True,
        )
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "accounts/user_list.html",
        {
            "page": page,
            "rows": rows,
            "search": search,
            "role": role,
            "roles": Role.choices,
            "query": query.urlencode(),
            "may_create": has_role(request.user, ADMINISTRATORS),
        },
    )


def user_detail(request: HttpRequest, user_id: int) -> HttpResponse:
    account = selectors.user_get(request.user, user_id)
    personal = personal_values(request.user, [account], User.PERSONAL_FIELDS, purpose="page")[0]
    return render(
        request,
        "accounts/user_detail.html",
        {
            "account": account,
            "personal": personal,
            "two_factor": selectors.two_factor_device(account) is not None,
            "can_reset_two_factor": has_role(request.user, ADMINISTRATORS),
            "administers": has_role(request.user, ADMINISTRATORS) and account != request.user,
            "locked_until": services.login_locked_until(username=account.username),
        },
    )


def user_new(request: HttpRequest) -> HttpResponse:
    """An administrator creates an account; the generated first password is shown once."""
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        password = services.password_generate()
        try:
            account = services.user_create(
                actor=request.user, password=password, **form.cleaned_data
            )
        except InvalidInput as e:
            for field, reason in (e.details or {}).items():
                form.add_error(field if field in form.fields else None, reason)
            if not e.details:
                form.add_error(None, e.message)
        else:
            return _password_once(request, account, password)
    return render(request, "accounts/user_new.html", {"form": form})


@require_POST
def user_password_reset(request: HttpRequest, user_id: int) -> HttpResponse:
    account, password = services.user_password_reset(actor=request.user, user_id=user_id)
    return _password_once(request, account, password)


@require_POST
def user_unlock(request: HttpRequest, user_id: int) -> HttpResponse:
    account = services.user_unlock(actor=request.user, user_id=user_id)
    messages.success(request, _("%(username)s may sign in again.") % {"username": account.username})
    return redirect("accounts:user_detail", user_id=account.pk)


def _password_once(request: HttpRequest, account: User, password: str) -> HttpResponse:
    """The generated password, on this answer only (never in a URL, a message or the log)."""
    response = render(
        request, "accounts/password_once.html", {"account": account, "password": password}
    )
    response["Cache-Control"] = "no-store"
    return response


def user_export(request: HttpRequest) -> HttpResponse:
    """CSV of the accounts in scope, masked unless permitted."""
    users = list(
        selectors.user_list(
            request.user,
            search=request.GET.get("q", "").strip(),
            role=request.GET.get("role", ""),
        )
    )
    personal = personal_values(request.user, users, User.PERSONAL_FIELDS, purpose="export")
    header = [
        _("Username"),
        _("Full name"),
        _("Role"),
        _("Organisation"),
        _("Scopes"),
        _("Mobile number"),
        _("ID number"),
        _("Active"),
    ]
    rows = (
        [
            user.username,
            user.full_name,
            user.get_role_display(),
            user.organization,
            " ".join(s.region_id for s in user.scopes.all()),
            values["phone"],
            values["id_number"],
            _("yes") if user.is_active else _("no"),
        ]
        for user, values in zip(users, personal, strict=True)
    )
    return csv_response("accounts", header, rows)


def _next_page(request: HttpRequest) -> str:
    """Where the person was going (a page of this site only), else the home page."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse(settings.LOGIN_REDIRECT_URL)


def account(request: HttpRequest) -> HttpResponse:
    """My account: the password, the second factor, the API tokens."""
    return render(
        request,
        "accounts/account.html",
        {
            "device": selectors.two_factor_device(request.user),
            "two_factor_required": selectors.two_factor_required(request.user),
            "code_form": TwoFactorCodeForm(),
            "password_max_age_days": settings.PASSWORD_MAX_AGE_DAYS,
            "session_hours": settings.SESSION_ABSOLUTE_HOURS,
        },
    )


def password_change(request: HttpRequest) -> HttpResponse:
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_password_change(
                actor=request.user,
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password"],
            )
        except InvalidInput as e:
            for field, message in (e.details or {}).items():
                form.add_error(field, message)
        else:
            update_session_auth_hash(request, request.user)  # this session goes on; others end
            messages.success(request, _("Your password is changed."))
            return redirect(_next_page(request))
    return render(
        request,
        "accounts/password_change.html",
        {
            "form": form,
            "next": _next_page(request),
            "due": selectors.password_change_due(request.user),
            "max_age_days": settings.PASSWORD_MAX_AGE_DAYS,
        },
        status=422 if form.errors else 200,
    )


def two_factor(request: HttpRequest) -> HttpResponse:
    """The second step of signing in: a code from the authenticator app."""
    if request.user.is_verified() or selectors.two_factor_device(request.user) is None:
        return redirect(_next_page(request))
    form = TwoFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = services.two_factor_check(actor=request.user, code=form.cleaned_data["code"])
        except InvalidInput as e:
            form.add_error("code", e.message)
        else:
            otp_login(request, device)
            return redirect(_next_page(request))
    return render(
        request,
        "accounts/two_factor.html",
        {"form": form, "next": _next_page(request)},
        status=422 if form.errors else 200,
    )


TWO_FACTOR_KEY_SESSION_KEY = "two_factor_key"


def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Add an authenticator app: scan the QR code (or type the key), then give a code from it.
    The key waits in the session, so that a reload shows the same QR code."""
    key = request.session.get(TWO_FACTOR_KEY_SESSION_KEY)
    if key is None:
        key = request.session[TWO_FACTOR_KEY_SESSION_KEY] = selectors.two_factor_key_new()
    form = TwoFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = services.two_factor_enable(
                actor=request.user, key=key, code=form.cleaned_data["code"]
            )
        except InvalidInput as e:
            form.add_error("code", e.message)
        else:
            del request.session[TWO_FACTOR_KEY_SESSION_KEY]
            otp_login(request, device)
            messages.success(request, _("Your authenticator app is set up."))
            return redirect(_next_page(request))
    url, secret = selectors.two_factor_setup_codes(request.user, key)
    return render(
        request,
        "accounts/two_factor_setup.html",
        {
            "form": form,
            "next": _next_page(request),
            # segno writes the QR code as SVG shapes only: no script, no text from the user
            "qr_svg": mark_safe(segno.make(url, error="m").svg_inline(scale=5, border=2)),
            "secret": secret,
            "required": selectors.two_factor_required(request.user),
        },
        status=422 if form.errors else 200,
    )


@require_POST
def two_factor_disable(request: HttpRequest) -> HttpResponse:
    try:
        services.two_factor_disable(actor=request.user, code=request.POST.get("code", ""))
    except InvalidInput as e:
        messages.error(request, e.message)
    else:
        messages.success(request, _("The second factor is off."))
    return redirect("accounts:account")


@require_POST
def user_two_factor_reset(request: HttpRequest, user_id: int) -> HttpResponse:
    account = services.two_factor_reset(actor=request.user, user_id=user_id)
    messages.success(
        request,
        _("%(name)s signs in without a second factor until they set up a new one.")
        % {"name": account.username},
    )
    return redirect("accounts:user_detail", user_id=account.pk)
