"""The Herald web admin: Django project package (settings, ASGI, URLs, Celery)."""

from herald_web.celery import app as celery_app

__all__ = ["celery_app"]
