"""Request and reply helpers shared by the CGIs."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, QueryDict


def arguments(request: HttpRequest) -> QueryDict:
    """The CGI's arguments from the query and, for a POST, the form-encoded
    body whatever its Content-Type says (the axis library sends text/plain).
    Read-only: without a body to merge, the query itself (copying it cost more
    than a param.cgi list's own work)."""
    if request.method != "POST" or request.content_type.startswith("multipart/"):
        return request.GET
    merged = request.GET.copy()
    for key, values in QueryDict(request.body).lists():
        merged.setlist(key, merged.getlist(key) + values)
    return merged


def text(body: str, status: int = 200) -> HttpResponse:
    return HttpResponse(body, status=status, content_type="text/plain; charset=utf-8")


def html(body: str, status: int = 200) -> HttpResponse:
    return HttpResponse(body, status=status, content_type="text/html; charset=utf-8")


def quote(value: str, limit: int = 64) -> str:
    """A client's value fit to echo on one line of a reply."""
    flat = value.replace("\r", " ").replace("\n", " ")
    return flat if len(flat) <= limit else flat[:limit] + "..."
