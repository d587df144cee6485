from django.contrib.auth.decorators import login_not_required
from django.urls import include, path, re_path
from django.views.i18n import set_language

from shoushan.cockpit.views import favicon, healthz
from shoushan.config.api import api, api_not_found
from shoushan.core.views import job_detail, job_result
from shoushan.grid.cases.views import follow_up, follow_up_case, resident_report

urlpatterns = [
    path("", include("shoushan.cockpit.urls")),
    path("regions/", include("shoushan.regions.urls")),
    path("accounts/", include("shoushan.accounts.urls")),
    path("audit/", include("shoushan.audit.urls")),
    path("grid/", include("shoushan.grid.urls")),
    path("community/", include("shoushan.community.urls")),
    path("workforce/", include("shoushan.workforce.urls")),
    path("volunteers/", include("shoushan.volunteers.urls")),
    path("organizations/", include("shoushan.organizations.urls")),
    path("party/", include("shoushan.party.urls")),
    path("purchasing/", include("shoushan.purchasing.urls")),
    path("thinktank/", include("shoushan.thinktank.urls")),
    path("evaluation/", include("shoushan.evaluation.urls")),
    path("report/", resident_report, name="resident_report"),
    path("report/follow-up/", follow_up, name="follow_up"),
    path("report/follow-up/<str:token>/", follow_up_case, name="follow_up_case"),
    path("api/v1/", api.urls),
    re_path(r"^api/(?P<path>.*)$", api_not_found),
    path("open311/v2/", include("shoushan.grid.intake.open311_urls")),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("jobs/<int:job_id>/", job_detail, name="job"),
    path("jobs/<int:job_id>/result", job_result, name="job_result"),
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", favicon),
]
