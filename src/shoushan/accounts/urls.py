from django.urls import path

from shoushan.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login, name="login"),
    path("logout/", views.logout, name="logout"),
    path("me/", views.account, name="account"),
    path("password/", views.password_change, name="password_change"),
    path("two-factor/", views.two_factor, name="two_factor"),
    path("two-factor/setup/", views.two_factor_setup, name="two_factor_setup"),
    path("two-factor/disable/", views.two_factor_disable, name="two_factor_disable"),
    path("tokens/", views.token_list, name="tokens"),
    path("tokens/<int:token_id>/revoke/", views.token_revoke, name="token_revoke"),
    path("users/", views.user_list, name="users"),
    path("users/export.csv", views.user_export, name="user_export"),
    path("users/new/", views.user_new, name="user_new"),
    path("users/<int:user_id>/", views.user_detail, name="user_detail"),
    path(
        "users/<int:user_id>/password-reset/",
        views.user_password_reset,
        name="user_password_reset",
    ),
    path("users/<int:user_id>/unlock/", views.user_unlock, name="user_unlock"),
    path(
        "users/<int:user_id>/two-factor/reset/",
        views.user_two_factor_reset,
        name="user_two_factor_reset",
    ),
]
