from ninja.security import HttpBearer, SessionAuth

from shoushan.accounts.services import TokenRefused, api_token_authenticate


class TokenAuth(HttpBearer):
    """`Authorization: Bearer ss_…` with a token created on the API tokens page."""

    def authenticate(self, request, token: str):
        try:
            user = api_token_authenticate(
                token, writes=request.method not in ("GET", "HEAD", "OPTIONS")
            )
        except TokenRefused as refusal:
            request.api_token_refused = refusal.message  # for the 401 message
            return None
        request.user = user
        return user


API_AUTH = [TokenAuth(), SessionAuth()]
