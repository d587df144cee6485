from django.contrib.auth.backends import ModelBackend

from shoushan.accounts.roles import ROLE_PERMISSIONS
from shoushan.accounts.services import login_attempt_allowed, login_attempt_record
from shoushan.core.client import client_address


class AccountBackend(ModelBackend):
    """Password sign-in with the lock-out, and the permissions each role grants."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        address = client_address(request) if request else None
        if not login_attempt_allowed(username=username, ip_address=address):
            return None  # locked: the password is not even checked
        user = super().authenticate(request, username=username, password=password, **kwargs)
        login_attempt_record(username=username, ip_address=address, succeeded=user is not None)
        return user

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        return set(super().get_all_permissions(user_obj)) | ROLE_PERMISSIONS.get(
            user_obj.role, frozenset()
        )
