from django.apps import AppConfig


class UiConfig(AppConfig):
    name = "herald_web.ui"
    verbose_name = "Web interface"
