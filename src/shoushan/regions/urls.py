from django.urls import path

from shoushan.regions import views

app_name = "regions"
urlpatterns = [
    path("", views.region_index, name="index"),
    path("search/", views.region_search, name="search"),
    path("map/", views.region_map, name="map"),
    path("<str:code>/", views.region_detail, name="detail"),
    path("<str:code>/map.json", views.region_map_data, name="map_data"),
]
