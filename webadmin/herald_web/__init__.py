"""The Herald web admin: Django project package (settings, ASGI, URLs,
Celery). Importing it makes no Celery app: herald-web makes it at its first
job (jobs.py), herald-worker at its start."""
