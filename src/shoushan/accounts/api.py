from datetime import datetime

from django.http import HttpRequest
from ninja import Router, Schema

from shoushan.accounts import selectors
from shoushan.accounts.api_auth import API_AUTH
from shoushan.accounts.models import Role, User
from shoushan.accounts.personal import personal_values
from shoushan.core.api import AUTH_ERRORS, error_responses
from shoushan.core.pagination import PageNumber, PageSize, page_of

router = Router(tags=["accounts"], auth=API_AUTH)


class ScopeOut(Schema):
    code: str
    name: str
    level: str


class UserOut(Schema):
    id: int
    username: str
    full_name: str
    role: str
    organization: str
    scopes: list[ScopeOut]
    phone: str
    id_number: str
    is_demo: bool
    is_active: bool
    date_joined: datetime


class UserPage(Schema):
    count: int
    items: list[UserOut]


class Me(Schema):
    id: int
    username: str
    full_name: str
    role: str
    scopes: list[ScopeOut]
    permissions: list[str]


def _scopes(user: User) -> list[dict]:
    return [
        {"code": s.region.code, "name": s.region.name, "level": s.region.level}
        for s in user.scopes.all()
    ]


def _users_out(viewer, users: list[User], purpose: str) -> list[dict]:
    shown = personal_values(viewer, users, User.PERSONAL_FIELDS, purpose=purpose)
    return [
        {
            "id": u.pk,
            "username": u.username,
            "full_name": u.full_name,
            "role": u.role,
            "organization": u.organization,
            "scopes": _scopes(u),
            "is_demo": u.is_demo,
            "is_active": u.is_active,
            "date_joined": u.date_joined,
            **personal,
        }
        for u, personal in zip(users, shown, strict=True)
    ]


@router.get("/me", response={200: Me, **AUTH_ERRORS}, summary="The signed-in account")
def me(request: HttpRequest) -> dict:
    user = request.user
    return {
        "id": user.pk,
        "username": user.username,
        "full_name": user.full_name,
        "role": user.role,
        "scopes": _scopes(user),
        "permissions": sorted(user.get_all_permissions()),
    }


@router.get("/users", response={200: UserPage, **AUTH_ERRORS}, summary="Accounts in your scope")
def user_list(
    request: HttpRequest,
    search: str = "",
    role: Role | None = None,
    page: PageNumber = 1,
    page_size: PageSize = 50,
) -> dict:
    """Personal fields are masked unless you hold “view personal information”."""
    users, count = page_of(
        selectors.user_list(request.user, search=search, role=role or ""),
        page=page,
        page_size=page_size,
    )
    return {"count": count, "items": _users_out(request.user, users, "api")}


@router.get(
    "/users/{user_id}",
    response={200: UserOut, **AUTH_ERRORS, **error_responses(404)},
    summary="One account in your scope",
)
def user_detail(request: HttpRequest, user_id: int) -> dict:
    return _users_out(request.user, [selectors.user_get(request.user, user_id)], "api")[0]
