from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from shoushan.accounts.models import ApiToken, User
from shoushan.accounts.roles import VIEW_USERS
from shoushan.accounts.scope import scope_filter, scoped_get, sees_unplaced_records
from shoushan.core.errors import Forbidden

USER_SCOPE_FIELD = "scopes__region__code"  # an account is in scope when one of its scopes is


def _require_view_users(viewer) -> None:
    if not viewer.has_perm(VIEW_USERS):
        raise Forbidden(_("Your role cannot see other accounts."))


def user_list(viewer, *, search: str = "", role: str = "") -> QuerySet[User]:
    _require_view_users(viewer)
    users = scope_filter(User.objects.all(), viewer, USER_SCOPE_FIELD)
    if sees_unplaced_records(viewer):  # accounts without a scope: researchers, residents
        users = users | User.objects.filter(scopes__isnull=True)
    if search:
        users = users.filter(
            Q(username__icontains=search)
            | Q(full_name__contains=search)
            | Q(organization__contains=search)
        )
    if role:
        users = users.filter(role=role)
    ids = users.values("pk")  # scope joins can repeat a user; select each once
    return User.objects.filter(pk__in=ids).prefetch_related("scopes__region").order_by("username")


def user_get(viewer, user_id: int) -> User:
    _require_view_users(viewer)
    users = User.objects.prefetch_related("scopes__region")
    if sees_unplaced_records(viewer) and users.filter(pk=user_id, scopes__isnull=True).exists():
        return users.get(pk=user_id)
    return scoped_get(users, viewer, USER_SCOPE_FIELD, pk=user_id)


def api_token_list(user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user)
