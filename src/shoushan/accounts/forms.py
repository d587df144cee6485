from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import gettext_lazy as _

from shoushan.accounts.models import Role
from shoushan.accounts.services import login_locked_until


class LoginForm(AuthenticationForm):
    """The sign-in form; says plainly when an account is locked and until when."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _(
            "Wrong username or password. After %(failures)s failures in a row the account is "
            "locked for %(minutes)s minutes."
        ),
        "locked": _(
            "Too many failed attempts: this account is locked until %(until)s. "
            "Try again then, or ask your administrator."
        ),
    }

    def get_invalid_login_error(self):
        return forms.ValidationError(
            self.error_messages["invalid_login"],
            code="invalid_login",
            params={
                "failures": settings.LOGIN_MAX_FAILURES,
                "minutes": settings.LOGIN_LOCKOUT_MINUTES,
            },
        )

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        self._raise_if_locked(username)
        try:
            return super().clean()
        except forms.ValidationError:
            self._raise_if_locked(username)  # this failure may have been the fifth
            raise

    def _raise_if_locked(self, username: str) -> None:
        until = login_locked_until(username=username) if username else None
        if until is not None:
            raise forms.ValidationError(
                self.error_messages["locked"],
                code="locked",
                params={"until": time_format(timezone.localtime(until), "H:i")},
            )


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("Which client will use it, e.g. “district data exchange”."),
    )
    days = forms.TypedChoiceField(
        label=_("Valid for"),
        coerce=int,
        initial=90,
        required=False,
        empty_value=90,
        choices=[(30, _("30 days")), (90, _("90 days")), (180, _("180 days")), (365, _("a year"))],
    )
    read_only = forms.TypedChoiceField(
        label=_("May"),
        coerce=lambda value: value == "read",
        initial="read",
        required=False,
        empty_value=True,
        choices=[("read", _("only read")), ("write", _("read and change"))],
        help_text=_("A client that only fetches data needs only to read."),
    )


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(
        label=_("Current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
    )
    new_password = forms.CharField(
        label=_("New password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_(
            "At least 10 characters, not all digits, not a common password and not like your name."
        ),
    )
    new_password_again = forms.CharField(
        label=_("New password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("new_password") != data.get("new_password_again"):
            self.add_error("new_password_again", _("The two new passwords differ."))
        return data


class TwoFactorCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code from your authenticator app"),
        max_length=12,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "autofocus": True,
                "size": 8,
            }
        ),
    )


class UserCreateForm(forms.Form):
    """A new account, made by an administrator; its first password is generated and shown once."""

    username = forms.CharField(label=_("Username"), max_length=150)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    full_name = forms.CharField(label=_("Full name"), max_length=60, required=False)
    organization = forms.CharField(label=_("Organisation"), max_length=100, required=False)
    phone = forms.CharField(label=_("Mobile number"), max_length=20, required=False)
    scope_codes = forms.CharField(
        label=_("Scopes (region codes, separated by spaces or commas)"),
        required=False,
        max_length=400,
        widget=forms.TextInput(attrs={"data-region-picker": "any"}),
    )

    def clean_scope_codes(self) -> list[str]:
        return [
            c
            for c in self.cleaned_data["scope_codes"].replace("，", ",").replace(",", " ").split()
            if c
        ]
