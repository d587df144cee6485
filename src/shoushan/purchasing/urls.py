from django.urls import path

from shoushan.purchasing import views

app_name = "purchasing"
urlpatterns = [
    path("", views.funds, name="funds"),
    path("funds/<int:fund_id>/", views.fund, name="fund"),
    path("envelopes/<int:envelope_id>/calls/new/", views.call_new, name="call_new"),
    path("calls/<int:call_id>/", views.call, name="call"),
    path("awards/<int:award_id>/", views.award, name="award"),
    path("catalogue/", views.catalogue, name="catalogue"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("panels/<int:panel_id>/", views.panel, name="panel"),
]
