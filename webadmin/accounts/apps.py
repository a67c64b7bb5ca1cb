from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from accounts import signals  # noqa: F401  (connects the access log)
        from herald.access import Level
        from ui import nav

        nav.register("system.accounts", "Accounts", "accounts:list", Level.ADMIN)
