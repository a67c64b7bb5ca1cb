"""What the web admin's own processes say about themselves on the bus.

State WEB {"http": port, "https": port}: the ports herald-web serves.
State WORKER {"pid"}: a Celery worker is ready (absent once it stops).
"""

from __future__ import annotations

WEB = "services.web"
WORKER = "services.worker"
