from django.urls import path

from shoushan.grid.intake import open311

app_name = "open311"
urlpatterns = [
    path("discovery.json", open311.discovery, name="discovery"),
    path("services.json", open311.services, name="services"),
    path("services/<str:service_code>.json", open311.service_definition, name="service"),
    path("requests.json", open311.requests, name="requests"),
    path("requests/<str:service_request_id>.json", open311.request_detail, name="request"),
    path("tokens/<str:token>.json", open311.token_detail, name="token"),
]
