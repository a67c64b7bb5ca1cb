"""The manual's three privileges and the access level each one reaches."""

from django.db import models

from herald.access import Level


class Role(models.TextChoices):
    ADMIN = "admin", "Administrator"
    OPERATOR = "operator", "Operator"
    VIEWER = "viewer", "Viewer"

    @property
    def level(self) -> Level:
        levels = {"admin": Level.ADMIN, "operator": Level.OPERATOR, "viewer": Level.VIEWER}
        return levels[self.value]
