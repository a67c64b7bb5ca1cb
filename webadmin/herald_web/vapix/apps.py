from django.apps import AppConfig


class VapixConfig(AppConfig):
    name = "herald_web.vapix"
    verbose_name = "VAPIX API"
