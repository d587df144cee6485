from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shoushan.accounts import selectors, services
from shoushan.accounts.forms import ApiTokenForm, LoginForm
from shoushan.accounts.models import Role, User
from shoushan.accounts.personal import personal_values
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
        _token, key = services.api_token_create(actor=request.user, name=form.cleaned_data["name"])
        request.session[NEW_TOKEN_SESSION_KEY] = key
        return redirect("accounts:tokens")
    new_key = request.session.pop(NEW_TOKEN_SESSION_KEY, None)
    return render(
        request,
        "accounts/tokens.html",
        {"tokens": selectors.api_token_list(request.user), "form": form, "new_key": new_key},
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
        },
    )


def user_detail(request: HttpRequest, user_id: int) -> HttpResponse:
    account = selectors.user_get(request.user, user_id)
    personal = personal_values(request.user, [account], User.PERSONAL_FIELDS, purpose="page")[0]
    return render(request, "accounts/user_detail.html", {"account": account, "personal": personal})


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
