from ninja.security import HttpBearer, SessionAuth

from shoushan.accounts.services import api_token_authenticate


class TokenAuth(HttpBearer):
    """`Authorization: Bearer ss_…` with a token created on the API tokens page."""

    def authenticate(self, request, token: str):
        user = api_token_authenticate(token)
        if user is None:
            request.bad_api_token = True  # for the 401 message
        else:
            request.user = user
        return user


# Machine clients send a token; the browser's own calls use the session (with CSRF).
API_AUTH = [TokenAuth(), SessionAuth()]
