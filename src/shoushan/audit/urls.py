from django.urls import path

from shoushan.audit import views

app_name = "audit"
urlpatterns = [
    path("", views.audit_list, name="list"),
    path("export.csv", views.audit_export, name="export"),
    path("<int:record_id>/", views.audit_detail, name="detail"),
]
