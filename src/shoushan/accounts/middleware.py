from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequired

# The API authenticates each request itself (tokens or session) and answers 401 in JSON.
_OPEN_PREFIXES = ("/api/", "/open311/", "/static/", "/healthz")


class LoginRequiredMiddleware(DjangoLoginRequired):
    """Every page needs a signed-in user unless its view is marked `login_not_required`."""

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path_info.startswith(_OPEN_PREFIXES):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)
