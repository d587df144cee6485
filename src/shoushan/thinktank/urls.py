from django.urls import path

from shoushan.thinktank import views

app_name = "thinktank"
urlpatterns = [
    path("", views.index, name="index"),
    path("institutions/", views.institutions, name="institutions"),
    path("bases/<int:base_id>/", views.base, name="base"),
    path("topics/<int:topic_id>/", views.topic, name="topic"),
    path("projects/<int:project_id>/", views.project, name="project"),
    path("outputs/<int:output_id>/file", views.output_file, name="output_file"),
    path("adoptions/", views.adoptions, name="adoptions"),
    path("blue-book/<int:year>/contributors/", views.contributors, name="contributors"),
]
