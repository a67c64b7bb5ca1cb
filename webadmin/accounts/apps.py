from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from herald.access import Level
        from ui import nav

        from accounts import signals  # noqa: F401  (connects the access log)

        nav.register("system.accounts", "Accounts", "accounts:list", Level.ADMIN)
