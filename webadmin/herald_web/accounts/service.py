"""Account rules in one place, for the Accounts page and pwdgrp.cgi alike:
names, passwords, the 100-account limit, root's special standing."""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from herald.params.types import PRINTABLE
from herald_web.accounts.models import MAX_ACCOUNTS, MAX_COMMENT, NAME_RULE, ROOT, Account
from herald_web.accounts.roles import Role
from herald_web.accounts.sockets import account_changed

log = logging.getLogger(__name__)


class AccountError(Exception):
    """The change was refused; nothing was changed. The message says why."""


def check_name(name: str) -> str:
    try:
        NAME_RULE(name)
    except ValidationError:
        raise AccountError("An account name is 1 to 14 letters (A-Z, a-z) and digits.") from None
    return name


def check_password(password: str) -> str:
    if not 1 <= len(password) <= 64 or not PRINTABLE.fullmatch(password):
        raise AccountError(
            "A password is 1 to 64 characters, printable ASCII only (codes 32 to 126)."
        )
    return password


def check_comment(comment: str) -> str:
    if len(comment) > MAX_COMMENT or not PRINTABLE.fullmatch(comment):
        raise AccountError(f"A comment is at most {MAX_COMMENT} characters, printable ASCII "
                           f"only (codes 32 to 126).")
    return comment


def set_root_password(password: str) -> Account:
    """First visit: make root, the administrator who can never be removed."""
    check_password(password)
    try:
        with transaction.atomic():
            account = Account.objects.create_account(ROOT, password, Role.ADMIN)
    except IntegrityError:
        raise AccountError("The root password is already set.") from None
    log.info("root password set: the device is now protected")
    return account


def create(name: str, password: str, role: Role, by: str, comment: str = "") -> Account:
    check_name(name)
    check_password(password)
    check_comment(comment)
    try:
        with transaction.atomic():
            if Account.objects.count() >= MAX_ACCOUNTS:
                raise AccountError(f"The device holds at most {MAX_ACCOUNTS} accounts.")
            account = Account.objects.create_account(name, password, role, comment)
    except IntegrityError:
        raise AccountError(f"An account named {name} exists already.") from None
    log.info("account %s created (%s) by %s", name, role.label, by)
    return account


def update(name: str, by: str, password: str | None = None, role: Role | None = None,
           comment: str | None = None) -> Account:
    with transaction.atomic():
        account = Account.objects.filter(username=name).first()
        if account is None:
            raise AccountError(f"There is no account named {name}.")
        if role is not None and account.is_root and role != Role.ADMIN:
            raise AccountError("root is always an administrator.")
        if password is not None:
            account.set_password(check_password(password))
        if role is not None:
            account.role = role
        if comment is not None:
            account.comment = check_comment(comment)
        account.save()
    log.info("account %s updated by %s", name, by)
    account_changed(account.pk)
    return account


def delete(name: str, by: str) -> None:
    with transaction.atomic():
        account = Account.objects.filter(username=name).first()
        if account is None:
            raise AccountError(f"There is no account named {name}.")
        if account.is_root:
            raise AccountError("The root account cannot be deleted.")
        pk = account.pk
        account.delete()
    log.info("account %s deleted by %s", name, by)
    account_changed(pk)
