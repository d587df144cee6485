from django.urls import path

from shoushan.organizations import views

app_name = "organizations"
urlpatterns = [
    path("", views.registry, name="registry"),
    path("register/", views.register, name="register"),
    path("<int:organization_id>/", views.detail, name="detail"),
    path("overdue/", views.overdue, name="overdue"),
    path("lists/", views.credit_lists, name="lists"),
    path("ratings/", views.rounds, name="rounds"),
    path("ratings/<int:round_id>/", views.rating_round, name="round"),
    path("hubs/", views.hubs, name="hubs"),
    path("hubs/<int:hub_id>/", views.hub, name="hub"),
    path("incubators/", views.incubators, name="incubators"),
    path("buildings/", views.buildings, name="buildings"),
    path("buildings/<int:building_id>/", views.building, name="building"),
    path("import/", views.import_file, name="import"),
    path("export/<str:kind>/", views.export, name="export"),
    path("lookup/", views.lookup, name="lookup"),
]
