"""Forms of the first visit and of System > Accounts."""

from __future__ import annotations

from typing import Any

from django import forms

from herald_web.accounts import service
from herald_web.accounts.roles import Role

PASSWORD_HELP = (
    "1 to 64 characters, printable ASCII only. Use at least 8 characters, "
    "preferably made by a password generator."
)


class PasswordPair(forms.Form):
    password = forms.CharField(label="New password", widget=forms.PasswordInput(
        attrs={"autocomplete": "new-password"}), strip=False, help_text=PASSWORD_HELP)
    repeat = forms.CharField(label="Repeat password", widget=forms.PasswordInput(
        attrs={"autocomplete": "new-password"}), strip=False)
    password_required = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["password"].required = self.password_required
        self.fields["repeat"].required = self.password_required

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        password, repeat = data.get("password", ""), data.get("repeat", "")
        if password or repeat or self.password_required:
            if password != repeat:
                self.add_error("repeat", "The passwords are not the same.")
            else:
                try:
                    service.check_password(password)
                except service.AccountError as exc:
                    self.add_error("password", str(exc))
        return data


class AddAccountForm(PasswordPair):
    name = forms.CharField(label="Account", max_length=14, help_text="1 to 14 letters and digits.")
    role = forms.ChoiceField(label="Privileges", choices=Role.choices, initial=Role.VIEWER)
    field_order = ["name", "password", "repeat", "role"]

    def clean_name(self) -> str:
        try:
            return service.check_name(self.cleaned_data["name"])
        except service.AccountError as exc:
            raise forms.ValidationError(str(exc)) from None


class UpdateAccountForm(PasswordPair):
    password_required = False
    role = forms.ChoiceField(label="Privileges", choices=Role.choices)


class AnonymousForm(forms.Form):
    anonymous_viewing = forms.BooleanField(label="Allow anonymous viewing", required=False)
