from django.urls import path

from shoushan.workforce import views

app_name = "workforce"
urlpatterns = [
    path("", views.worker_list, name="list"),
    path("new/", views.worker_create, name="create"),
    path("import/", views.worker_import, name="import"),
    path("statistics/", views.statistics, name="statistics"),
    path("wages/", views.wages, name="wages"),
    path("<int:worker_id>/", views.worker_detail, name="detail"),
    path("<int:worker_id>/edit/", views.worker_edit, name="edit"),
    path("<int:worker_id>/events/", views.worker_event, name="event"),
    path("<int:worker_id>/changes/", views.worker_change, name="change"),
]
