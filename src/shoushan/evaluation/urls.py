from django.urls import path

from shoushan.evaluation import views

app_name = "evaluation"
urlpatterns = [
    path("", views.datasets, name="datasets"),
    path("provinces.geojson", views.province_boundaries, name="province_boundaries"),
    path("<int:pk>/", views.results, name="results"),
    path("<int:pk>/units/<str:unit>/", views.unit_profile, name="unit"),
]
