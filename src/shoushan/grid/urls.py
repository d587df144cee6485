from django.urls import path

from shoushan.grid.cases import views as cases
from shoushan.grid.intake import views as intake
from shoushan.grid.registry import views as registry

app_name = "grid"
urlpatterns = [
    # the closed loop
    path("", cases.case_queue, name="queue"),
    path("cases/<int:case_id>/", cases.case_detail, name="case"),
    path("cases/<int:case_id>/move/", cases.case_move, name="case_move"),
    path("cases/<int:case_id>/return-visit/", cases.case_return_visit, name="case_return_visit"),
    path("cases/<int:case_id>/call/", cases.case_reporter_call, name="case_reporter_call"),
    path("cases/<int:case_id>/photos/<int:photo_id>/", cases.case_photo, name="case_photo"),
    path("cases/<int:case_id>/duplicates/", cases.case_duplicates, name="case_duplicates"),
    path("cases/<int:case_id>/merge/", cases.case_merge, name="case_merge"),
    path("report/", cases.patrol_report, name="patrol_report"),
    path("map/<str:code>/", cases.grid_map, name="map"),
    path("map/<str:code>/data.json", cases.grid_map_data, name="map_data"),
    path("map/<str:code>/workers/", cases.grid_workers, name="map_workers"),
    path("ranking/", cases.ranking, name="ranking"),
    # intake
    path("triage/", intake.triage, name="triage"),
    path(
        "cases/<int:case_id>/dispatch-predicted/",
        intake.case_dispatch_predicted,
        name="case_dispatch_predicted",
    ),
    path("problems/", intake.month_problems, name="month_problems"),
    path("hotline-import/", intake.hotline_import, name="hotline_import"),
    path("open311-keys/", intake.open311_keys, name="open311_keys"),
    path("open311-keys/<int:key_id>/revoke/", intake.open311_key_revoke, name="open311_key_revoke"),
    # the registry
    path("layers/", registry.grid_layers, name="layers"),
    path("layers/<str:layer>.geojson", registry.grid_layer_export, name="layer_export"),
    path("rules/", registry.rules, name="rules"),
    path("rules/categories/<int:category_id>/", registry.category_edit, name="category_edit"),
]
