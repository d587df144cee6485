from django.urls import path

from shoushan.community import views

app_name = "community"
urlpatterns = [
    path("basemap.json", views.basemap_data, name="basemap"),
    path("", views.community_list, name="list"),
    path("export.xlsx", views.community_export, name="export"),
    path("import/", views.community_import, name="import"),
    path("standards/", views.standards_page, name="standards"),
    path("standards/rule/", views.standards_rule_edit, name="standards_rule"),
    path("catalogue/", views.catalogue_page, name="catalogue"),
    path("catalogue/coverage/", views.catalogue_coverage, name="coverage"),
    path(
        "catalogue/items/<int:item_id>/missing/",
        views.catalogue_item_missing,
        name="item_missing",
    ),
    path("facilities/", views.facility_list, name="facilities"),
    path("facilities/data.json", views.facility_data, name="facility_data"),
    path("service-circle/", views.service_circle_page, name="service_circle"),
    path("<str:code>/", views.community_detail, name="detail"),
    path("<str:code>/history/", views.community_history, name="history"),
    path("<str:code>/checklist/", views.community_checklist, name="checklist"),
    path(
        "<str:code>/checklist/<int:item_id>/evidence/",
        views.checklist_evidence,
        name="checklist_evidence",
    ),
]
