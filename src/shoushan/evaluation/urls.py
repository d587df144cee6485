from django.urls import path

from shoushan.evaluation import views

app_name = "evaluation"
urlpatterns = [
    path("", views.datasets, name="datasets"),
    path("<int:pk>/", views.results, name="results"),
    path("<int:pk>/units/<str:unit>/", views.unit_profile, name="unit"),
]
