"""First visit, login and logout, and System > Accounts."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from herald.access import Level
from herald_web.accounts import service, throttle
from herald_web.accounts.access import anonymous_viewing, page, public, root_exists
from herald_web.accounts.forms import AddAccountForm, AnonymousForm, PasswordPair, UpdateAccountForm
from herald_web.accounts.models import MAX_ACCOUNTS, Account
from herald_web.accounts.parameters import apply_params
from herald_web.accounts.roles import Role

SECTION = {"section": "system", "page_key": "system.accounts"}


@public
def setup(request: HttpRequest) -> HttpResponse:
    """Set the root password: the only page of a device without one."""
    if root_exists():
        return redirect("accounts:login")
    form = PasswordPair(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            service.set_root_password(form.cleaned_data["password"])
        except service.AccountError as exc:
            messages.error(request, str(exc))
            return redirect("accounts:login")
        messages.success(request, "The root password is set. Log in as root.")
        return redirect("accounts:login")
    return render(request, "accounts/setup.html", {"form": form})


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = False

    def dispatch(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if not root_exists():
            return redirect("accounts:setup")
        if request.method == "POST" and (blocked := throttle.blocked_for(request)):
            return render(request, self.template_name, {
                "form": self.get_form_class()(request), "blocked": blocked}, status=429)
        return super().dispatch(request, *args, **kwargs)


login = public(LoginView.as_view())
logout = public(auth_views.LogoutView.as_view(next_page="accounts:login"))


@page(Level.ADMIN)
def account_list(request: HttpRequest) -> HttpResponse:
    add_form = AddAccountForm(request.POST or None)
    if request.method == "POST" and add_form.is_valid():
        data = add_form.cleaned_data
        try:
            service.create(data["name"], data["password"], Role(data["role"]),
                           request.user.username)
        except service.AccountError as exc:
            add_form.add_error("name", str(exc))
        else:
            messages.success(request, f"Account {data['name']} added.")
            return redirect("accounts:list")
    return render(request, "accounts/list.html", {
        **SECTION,
        "accounts": Account.objects.all(),
        "add_form": add_form,
        "anonymous_form": AnonymousForm(initial={"anonymous_viewing": anonymous_viewing()}),
        "max_accounts": MAX_ACCOUNTS,
    })


@page(Level.ADMIN)
def account_update(request: HttpRequest, name: str) -> HttpResponse:
    account = get_object_or_404(Account, username=name)
    form = UpdateAccountForm(request.POST or None, initial={"role": account.role})
    if account.is_root:
        form.fields["role"].disabled = True
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            service.update(
                name, request.user.username, password=data["password"] or None,
                role=None if account.is_root else Role(data["role"]),
            )
        except service.AccountError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Account {name} updated.")
            return redirect("accounts:list")
    return render(request, "accounts/update.html", {**SECTION, "account": account, "form": form})


@page(Level.ADMIN)
@require_POST
def account_delete(request: HttpRequest, name: str) -> HttpResponse:
    try:
        service.delete(name, request.user.username)
    except service.AccountError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Account {name} deleted.")
    return redirect("accounts:list")


@page(Level.ADMIN)
@require_POST
def anonymous(request: HttpRequest) -> HttpResponse:
    form = AnonymousForm(request.POST)
    if form.is_valid():
        allowed = form.cleaned_data["anonymous_viewing"]
        apply_params({"System.AnonymousViewing": "yes" if allowed else "no"}, Level.ADMIN,
                     request.user.get_username())
        messages.success(
            request, "Anonymous viewing is " + ("allowed." if allowed else "not allowed.")
        )
    return redirect("accounts:list")
