from django.urls import path

from shoushan.party import views

app_name = "party"
urlpatterns = [
    path("", views.coverage, name="coverage"),
    path("units/", views.units, name="units"),
    path("units/<int:unit_id>/", views.unit, name="unit"),
    path("organizations/", views.organizations, name="organizations"),
    path("organizations/new/", views.organization_new, name="organization_new"),
    path("organizations/<int:organization_id>/", views.organization, name="organization"),
    path("enterprises/", views.enterprises, name="enterprises"),
    path("instructors/", views.instructors, name="instructors"),
    path("instructors/<int:instructor_id>/", views.instructor, name="instructor"),
    path("warnings/", views.warnings, name="warnings"),
    path("alliances/", views.alliances, name="alliances"),
    path("alliances/<int:alliance_id>/", views.alliance, name="alliance"),
    path("import/", views.import_file, name="import"),
]
