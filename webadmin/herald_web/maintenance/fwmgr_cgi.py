"""/axis-cgi/firmwaremanagement.cgi as it arrives: the request read as a stream.

An `upgrade` is a multipart/form-data request, the JSON and then the
firmware file, hundreds of megabytes: the file goes to the data partition as
it arrives, and the JSON alone goes on to the API (fwmgr.py) with the stored
upload beside it. Any other method is plain JSON.
"""

from __future__ import annotations

import io

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIRequest
from django.http import JsonResponse

from herald.access import Level
from herald_web.maintenance import uploads
from herald_web.maintenance.fwmgr import ERRORS, api
from herald_web.maintenance.multipart import MultipartError, MultipartReader, boundary_of
from herald_web.vapix.streaming import StreamRequest, stream_cgi

MAX_JSON_BYTES = 64 * 1024


async def _read_json(request: StreamRequest) -> bytes:
    body = b""
    async for chunk in request.chunks():
        body += chunk
        if len(body) > MAX_JSON_BYTES:
            raise MultipartError("the JSON request is too long")
    return body


async def _receive_upgrade(request: StreamRequest) -> tuple[bytes, uploads.Upload | None]:
    """The JSON part and the stored firmware file of a multipart upgrade request."""
    reader = MultipartReader(request.chunks(), boundary_of(request.django.META["CONTENT_TYPE"]))
    length = int(request.django.META.get("CONTENT_LENGTH") or 0)
    if not length:
        raise MultipartError("an upgrade request needs a Content-Length")
    body, upload = b"", None
    async for _headers in reader.parts():
        if not body:  # the first part is the JSON
            async for piece in reader.body():
                body += piece
                if len(body) > MAX_JSON_BYTES:
                    raise MultipartError("the JSON part is too long")
        elif upload is None:  # the second is the firmware; more parts are skipped
            upload = await sync_to_async(uploads.start)(length, "")
            with open(upload.path, "wb") as out:
                async for piece in reader.body():
                    out.write(piece)
            upload = await sync_to_async(upload.sealed)()
    return body, upload


# A GET goes through too, to get the API's JSON error rather than an empty 405.
@stream_cgi("firmwaremanagement.cgi", Level.ADMIN, methods=("GET", "POST"))
async def firmwaremanagement(request: StreamRequest) -> None:
    content_type = request.django.META.get("CONTENT_TYPE", "")
    upload = None
    try:
        if content_type.lower().startswith("multipart/"):
            body, upload = await _receive_upgrade(request)
        else:
            body = await _read_json(request)
    except (MultipartError, uploads.UploadError, ValueError) as exc:
        await sync_to_async(uploads.discard_all)()
        await request.reply(JsonResponse({
            "apiVersion": api.versions[-1], "method": "upgrade",
            "error": {"code": ERRORS["json"], "message": str(exc)}}))
        return
    # The JSON alone is the request the API sees (not the firmware that came with it).
    headers = [(k, v) for k, v in request.scope["headers"]
               if k not in (b"content-length", b"content-type")]
    scope = {**request.scope, "headers": [*headers, (b"content-type", b"application/json"),
                                          (b"content-length", str(len(body)).encode())]}
    django = ASGIRequest(scope, io.BytesIO(body))
    django.user, django.herald_level = request.django.user, request.django.herald_level
    django.herald_upload = upload
    response = await sync_to_async(api.handle, thread_sensitive=False)(django)
    if upload is not None and upload.path.exists():
        await sync_to_async(uploads.discard_all)()  # not used: another method, or refused early
    await request.reply(response)
