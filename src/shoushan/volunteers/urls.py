from django.urls import path

from shoushan.volunteers import views

# Rebuilt by the lead after an accidental overwrite: check against the views and tests.
app_name = "volunteers"
urlpatterns = [
    path("", views.me, name="me"),
    path("activities/<int:activity_id>/", views.activity_page, name="activity"),
    path("certificates/<int:certificate_id>.pdf", views.certificate_pdf, name="certificate_pdf"),
    path("verify/", views.certificate_verify, name="verify"),
    path("manage/", views.manage, name="manage"),
    path("ratings/", views.ratings_public, name="ratings"),
]
