from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "herald_web.accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from herald.access import Level
        from herald_web.accounts import signals  # noqa: F401  (connects the access log)
        from herald_web.ui import nav

        nav.register("system.accounts", "Accounts", "accounts:list", Level.ADMIN)
