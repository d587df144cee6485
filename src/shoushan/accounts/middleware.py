from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequired
from django.contrib.auth.models import AnonymousUser
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from shoushan.accounts.selectors import sign_in_step

# The API authenticates each request itself (tokens or session) and answers 401 in JSON.
_OPEN_PREFIXES = ("/api/", "/open311/", "/static/", "/healthz")
SIGNED_IN_AT = "signed_in_at"  # session key: when the password was given (a POSIX timestamp)

# The page for each step `sign_in_step` may ask of a signed-in person.
STEP_PAGES = {
    "two_factor": "accounts:two_factor",
    "two_factor_setup": "accounts:two_factor_setup",
    "password": "accounts:password_change",
}
# Pages open whatever step is owed (besides the step's own page).
_ALWAYS_OPEN = ("accounts:logout", "set_language")


class LoginRequiredMiddleware(DjangoLoginRequired):
    """Every page needs a signed-in user unless its view is marked `login_not_required`."""

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path_info.startswith(_OPEN_PREFIXES):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)


def session_start(sender, request, user, **kwargs) -> None:
    """On sign-in (the user_logged_in signal): note when, for the absolute session lifetime."""
    request.session[SIGNED_IN_AT] = timezone.now().timestamp()


class IdentityPolicyMiddleware:
    """A session ends SESSION_ABSOLUTE_HOURS after its sign-in, however active. Until a signed-in
    person has done what `sign_in_step` asks (a second factor, a new password) every page sends
    them there and the API treats the session as not signed in."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            refusal = self._session_expired(request) or self._step_owed(request)
            if refusal is not None:
                return refusal
        return self.get_response(request)

    def _session_expired(self, request):
        started = request.session.setdefault(SIGNED_IN_AT, timezone.now().timestamp())
        if timezone.now().timestamp() - started <= settings.SESSION_ABSOLUTE_HOURS * 3600:
            return None
        logout(request)
        if request.path_info.startswith("/api/"):
            return None  # now anonymous: the API answers 401
        messages.info(
            request,
            _("You have been signed in for %(hours)s hours: sign in again to go on.")
            % {"hours": settings.SESSION_ABSOLUTE_HOURS},
        )
        return _to_page("accounts:login", request)

    def _step_owed(self, request):
        step = sign_in_step(request.user, verified=request.user.is_verified())
        if step is None:
            return None
        if request.path_info.startswith("/api/"):
            request.user = AnonymousUser()
            request.sign_in_step = step  # for the 401 message
            return None
        # only the owed step's page: someone with the password alone must not reach the others
        if request.path_info.startswith(_OPEN_PREFIXES) or request.path_info in {
            reverse(name) for name in (STEP_PAGES[step], *_ALWAYS_OPEN)
        }:
            return None
        return _to_page(STEP_PAGES[step], request)


def _to_page(name: str, request):
    return redirect(f"{reverse(name)}?{urlencode({'next': request.get_full_path()})}")
