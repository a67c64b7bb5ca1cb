"""VAPIX user management: pwdgrp.cgi and usergroup.cgi."""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse

from herald.access import Level
from herald_web.accounts import service
from herald_web.accounts.access import root_exists
from herald_web.accounts.models import ROOT, Account
from herald_web.accounts.roles import Role
from herald_web.vapix.discovery import Api, offer
from herald_web.vapix.registry import cgi
from herald_web.vapix.replies import arguments, html, text

log = logging.getLogger(__name__)
offer(Api("user-management", "User Management", "1.0"))

SUBGROUPS = {"viewer": Role.VIEWER, "operator": Role.OPERATOR, "admin": Role.ADMIN}
# Which groups an account of each role belongs to, as pwdgrp.cgi lists them.
MEMBERSHIP = {
    Role.ADMIN: ("admin", "operator", "viewer"),
    Role.OPERATOR: ("operator", "viewer"),
    Role.VIEWER: ("viewer",),
}


def _role(sgrp: str) -> Role | None:
    """The highest role named in "viewer:operator:admin:ptz", None if malformed."""
    words = [w for w in sgrp.lower().split(":") if w]
    if not words or any(w not in (*SUBGROUPS, "ptz") for w in words):
        return None
    roles = [SUBGROUPS[w] for w in words if w in SUBGROUPS]
    if not roles:
        return None
    return max(roles, key=lambda r: r.level)


def _error(message: str) -> HttpResponse:
    return html(f"Error: {message}\n")


@cgi("pwdgrp.cgi", Level.ADMIN, first_visit=True)
def pwdgrp(request: HttpRequest) -> HttpResponse:
    args = arguments(request)
    action, user = args.get("action", ""), args.get("user", "")
    by = request.user.username if request.user.is_authenticated else "initial setup"
    if not root_exists():
        if action != "add":
            return _error("initial admin user must be created first.")
        if user != ROOT or _role(args.get("sgrp", "")) != Role.ADMIN:
            return _error("not a valid initial admin user.")
        try:
            service.set_root_password(args.get("pwd", ""))
        except service.AccountError as exc:
            log.warning("pwdgrp.cgi: %s", exc)
            return _error("consult the system log file.")
        return html(f"Created account {user}.\n")
    try:
        if action == "add":
            role = _role(args.get("sgrp", ""))
            if role is None:
                raise service.AccountError(f"bad sgrp {args.get('sgrp', '')[:64]!r}")
            service.create(user, args.get("pwd", ""), role, by, args.get("comment", ""))
            return html(f"Created account {user}.\n")
        if action == "update":
            sgrp = args.get("sgrp")
            role = _role(sgrp) if sgrp is not None else None
            if sgrp is not None and role is None:
                raise service.AccountError(f"bad sgrp {sgrp[:64]!r}")
            service.update(user, by, password=args.get("pwd"), role=role,
                           comment=args.get("comment"))
            return html(f"Modified account {user}.\n")
        if action == "remove":
            service.delete(user, by)
            return html(f"Removed account {user}.\n")
        if action == "get":
            return html(_groups())
    except service.AccountError as exc:
        log.warning("pwdgrp.cgi %s %s: %s", action, user[:14], exc)
        return _error("consult the system log file.")
    if not action:
        return _error("action operation type.")
    return _error(f"malformed action operation, {action[:20]}.")


def _groups() -> str:
    members: dict[str, list[str]] = {"admin": [], "operator": [], "viewer": []}
    names = []
    for account in Account.objects.all():
        names.append(account.username)
        for group in MEMBERSHIP[Role(account.role)]:
            members[group].append(account.username)
    lines = [f'{group}="{",".join(names_)}"' for group, names_ in members.items()]
    # root is the initial admin, admin and ptz (an empty list would read as a
    # user named "" to the axis library).
    ptz = [ROOT] if ROOT in names else []
    lines += [f'ptz="{",".join(ptz)}"', f'digusers="{",".join(names)}"']
    return "\n".join(lines) + "\n"


@cgi("usergroup.cgi", Level.VIEWER)
def usergroup(request: HttpRequest) -> HttpResponse:
    """The caller's own name and groups."""
    if not request.user.is_authenticated:
        return text("anonymous\nviewer\n")
    groups = sorted(MEMBERSHIP[Role(request.user.role)])
    if request.user.is_root:  # as Axis devices list the initial admin
        groups = [ROOT, *sorted({*groups, "ptz"})]
    return text(f"{request.user.username}\n{' '.join(groups)}\n")
