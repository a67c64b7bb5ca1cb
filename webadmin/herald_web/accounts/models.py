"""Accounts of the device: root plus up to 99 more, each with one role.

Besides Django's password hash, an account keeps the HTTP Digest secret
HA1 = MD5(name:realm:password) that VAPIX clients authenticate against; it is
as sensitive as the password and never leaves the database.
"""

from __future__ import annotations

import hashlib

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower

from herald.access import Level
from herald.system.identity import this_device
from herald_web.accounts.roles import Role

ROOT = "root"
MAX_ACCOUNTS = 100
MAX_COMMENT = 64
NAME_RULE = RegexValidator(r"^[A-Za-z0-9]{1,14}\Z", "1 to 14 letters (A-Z, a-z) and digits.")


def realm() -> str:
    """The Digest realm: VAPIX devices name it after their serial number."""
    return f"AXIS_{this_device().serial}"


def digest_ha1(username: str, password: str) -> str:
    return hashlib.md5(f"{username}:{realm()}:{password}".encode()).hexdigest()


class AccountManager(BaseUserManager["Account"]):
    def create_account(self, username: str, password: str, role: Role,
                       comment: str = "") -> Account:
        account = self.model(username=username, role=role, comment=comment)
        account.set_password(password)
        account.save()
        return account

    def get_by_natural_key(self, username: str | None) -> Account:
        return self.get(username=username)


class Account(AbstractBaseUser):
    username = models.CharField(max_length=14, unique=True, validators=[NAME_RULE])
    role = models.CharField(max_length=8, choices=Role.choices)
    digest_ha1 = models.CharField(max_length=32, editable=False)
    comment = models.CharField(max_length=MAX_COMMENT, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    USERNAME_FIELD = "username"
    objects = AccountManager()

    class Meta:
        ordering = ["created"]
        constraints = [
            models.UniqueConstraint(Lower("username"), name="account_name_unique"),
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values), name="account_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.username

    @property
    def is_root(self) -> bool:
        return self.username == ROOT

    @property
    def level(self) -> Level:
        return Role(self.role).level

    def set_password(self, raw_password: str | None) -> None:
        super().set_password(raw_password)
        self.digest_ha1 = digest_ha1(self.username, raw_password or "")
