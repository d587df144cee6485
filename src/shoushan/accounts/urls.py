from django.urls import path

from shoushan.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login, name="login"),
    path("logout/", views.logout, name="logout"),
    path("tokens/", views.token_list, name="tokens"),
    path("tokens/<int:token_id>/revoke/", views.token_revoke, name="token_revoke"),
    path("users/", views.user_list, name="users"),
    path("users/export.csv", views.user_export, name="user_export"),
    path("users/<int:user_id>/", views.user_detail, name="user_detail"),
]
