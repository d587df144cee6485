from django.urls import path

from shoushan.grid import intake_views, problems_views, views

app_name = "grid"
urlpatterns = [
    path("", views.case_queue, name="queue"),
    path("cases/<int:case_id>/", views.case_detail, name="case"),
    path("cases/<int:case_id>/action/", views.case_action, name="case_action"),
    path("cases/<int:case_id>/return-visit/", views.case_return_visit, name="case_return_visit"),
    path("cases/<int:case_id>/photos/<int:photo_id>/", views.case_photo, name="case_photo"),
    path("report/", views.patrol_report, name="patrol_report"),
    path("map/<str:code>/", views.grid_map, name="map"),
    path("map/<str:code>/data.json", views.grid_map_data, name="map_data"),
    path("map/<str:code>/workers/", views.grid_workers, name="map_workers"),
    path("ranking/", views.ranking, name="ranking"),
    path("triage/", intake_views.triage, name="triage"),
    path("problems/", problems_views.month_problems, name="month_problems"),
    path("cases/<int:case_id>/duplicates/", intake_views.case_duplicates, name="case_duplicates"),
    path("cases/<int:case_id>/merge/", intake_views.case_merge_view, name="case_merge"),
    path(
        "cases/<int:case_id>/dispatch-predicted/",
        intake_views.case_dispatch_predicted,
        name="case_dispatch_predicted",
    ),
    path("layers/", views.grid_layers, name="layers"),
    path("rules/", views.rules, name="rules"),
    path("rules/categories/<int:category_id>/", views.category_edit, name="category_edit"),
    path("layers/<str:layer>.geojson", views.grid_layer_export, name="layer_export"),
    path("hotline-import/", views.hotline_import, name="hotline_import"),
    path("open311-keys/", views.open311_keys, name="open311_keys"),
    path(
        "open311-keys/<int:key_id>/revoke/",
        views.open311_key_revoke_view,
        name="open311_key_revoke",
    ),
]
