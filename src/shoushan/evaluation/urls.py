from django.urls import path, re_path

from shoushan.evaluation import views

app_name = "evaluation"
urlpatterns = [
    path("", views.datasets, name="datasets"),
    path("districts/", views.districts_build, name="districts"),
    re_path(
        r"^sample/(?P<name>idata\.csv|imeta\.csv|pipeline\.yaml)$", views.sample, name="sample"
    ),
    path("provinces.geojson", views.province_boundaries, name="province_boundaries"),
    path("<int:pk>/", views.results, name="results"),
    path("<int:pk>/regions.geojson", views.region_boundaries, name="region_boundaries"),
    path("<int:pk>/units/<str:unit>/", views.unit_profile, name="unit"),
    path("<int:pk>/framework/", views.framework_edit, name="framework"),
    path("<int:pk>/pipeline/", views.pipeline_edit, name="pipeline"),
    path("<int:pk>/analysis/", views.analysis, name="analysis"),
    path("<int:pk>/uncertainty/", views.uncertainty, name="uncertainty"),
    re_path(r"^(?P<pk>\d+)/blue-book\.(?P<kind>pdf|html)$", views.blue_book, name="blue_book"),
]
