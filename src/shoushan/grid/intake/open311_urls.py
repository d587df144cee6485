from django.urls import path, re_path

from shoushan.grid.intake import open311

app_name = "open311"
FORMAT = r"\.(?P<fmt>xml|json)$"
urlpatterns = [
    re_path(r"^discovery" + FORMAT, open311.discovery, name="discovery"),
    re_path(r"^services" + FORMAT, open311.services, name="services"),
    re_path(
        r"^services/(?P<service_code>[^/]+?)" + FORMAT, open311.service_definition, name="service"
    ),
    re_path(r"^requests" + FORMAT, open311.requests, name="requests"),
    re_path(
        r"^requests/(?P<service_request_id>[^/]+?)" + FORMAT, open311.request_detail, name="request"
    ),
    re_path(r"^tokens/(?P<token>[^/]+?)" + FORMAT, open311.token_detail, name="token"),
    re_path(r"^servicerequestupdates" + FORMAT, open311.request_updates, name="updates"),
    path("media/<str:token>", open311.media, name="media"),
    re_path(r"^(?P<path>.*)$", open311.not_found),
]
