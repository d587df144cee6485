from django.urls import path

from shoushan.cockpit import views

app_name = "cockpit"
urlpatterns = [
    path("", views.home, name="home"),
    path("cockpit/", views.board, name="board"),
    path("cockpit/tiles/<str:key>/", views.tile, name="tile"),
    path("cockpit/meetings/<int:meeting_id>/", views.meeting, name="meeting"),
    path("tasks/", views.task_list, name="tasks"),
    path("tasks/<int:task_id>/", views.task_detail, name="task"),
    path("tasks/<int:task_id>/evidence/<int:evidence_id>/", views.evidence_file, name="evidence"),
]
