"""The ASGI application: Django for HTTP (streaming VAPIX endpoints aside),
Channels for websockets."""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "herald_web.settings")
django.setup(set_prefix=False)  # what get_asgi_application does, with our handler

from herald_web.handler import RequestHandler  # noqa: E402  (needs Django set up)
from herald_web.vapix import registry  # noqa: E402

registry.discover()  # the endpoints, before the first request asks for one

http_application = RequestHandler()

from channels.auth import AuthMiddlewareStack  # noqa: E402  (needs Django set up)
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from herald_web.bodies import bounded  # noqa: E402
from herald_web.routing import websocket_urlpatterns  # noqa: E402
from herald_web.vapix.streaming import StreamRouter  # noqa: E402

application = ProtocolTypeRouter({
    # The streaming CGIs take bodies that never end; Django's are limited.
    "http": StreamRouter(bounded(http_application)),
    "websocket": AuthMiddlewareStack(URLRouter(websocket_urlpatterns())),
})
