from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError
from ninja.renderers import JSONRenderer

from shoushan.accounts.api import router as accounts_router
from shoushan.audit.api import router as audit_router
from shoushan.cockpit.api import cockpit_router, tasks_router
from shoushan.community.api import router as community_router
from shoushan.core.errors import DomainError
from shoushan.evaluation.api import router as evaluation_router
from shoushan.grid.api import router as cases_router
from shoushan.grid.intake.api import intake_router
from shoushan.organizations.api import router as organizations_router
from shoushan.party.api import router as party_router
from shoushan.purchasing.api import router as purchasing_router
from shoushan.regions.api import router as regions_router
from shoushan.thinktank.api import router as thinktank_router
from shoushan.volunteers.api import router as volunteers_router
from shoushan.workforce.api import router as workforce_router


class ReadableJSONRenderer(JSONRenderer):
    """Chinese as characters, not \\u escapes: readable in curl and logs."""

    json_dumps_params = {"ensure_ascii": False}


api = NinjaAPI(
    renderer=ReadableJSONRenderer(),
    title="Shoushan API",
    version="1",
    description="Shoushan (首善): the JSON API of the social-construction platform.",
    urls_namespace="api",
)
api.add_router("/regions", regions_router)
api.add_router("/accounts", accounts_router)
api.add_router("/audit", audit_router)
api.add_router("/cases", cases_router)
api.add_router("/intake", intake_router)
api.add_router("/community", community_router)
api.add_router("/workforce", workforce_router)
api.add_router("/volunteers", volunteers_router)
api.add_router("/organizations", organizations_router)
api.add_router("/party", party_router)
api.add_router("/purchasing", purchasing_router)
api.add_router("/thinktank", thinktank_router)
api.add_router("/evaluation", evaluation_router)
api.add_router("/cockpit", cockpit_router)
api.add_router("/tasks", tasks_router)


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError):
    body: dict = {"detail": exc.message}
    if exc.details is not None:
        body["errors"] = exc.details
    return api.create_response(request, body, status=exc.status_code)


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError):
    return api.create_response(
        request, {"detail": str(_("The request is not valid.")), "errors": exc.errors}, status=422
    )


@api.exception_handler(AuthenticationError)
def authentication_error(request: HttpRequest, exc: AuthenticationError):
    if getattr(request, "api_token_refused", None):
        message = request.api_token_refused
    elif getattr(request, "sign_in_step", None):
        message = _("Finish signing in on the website first (the second factor or a new password).")
    else:
        message = _("Sign in, or send an API token: Authorization: Bearer <token>.")
    return api.create_response(request, {"detail": str(message)}, status=401)


def api_not_found(request: HttpRequest, path: str = ""):
    """Unknown paths under /api/v1/ answer in JSON like the rest of the API."""
    return api.create_response(
        request, {"detail": str(_("There is no such API path: see /api/v1/docs."))}, status=404
    )
