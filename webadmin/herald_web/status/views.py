from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from herald.access import Level
from herald_web.accounts.access import level_of, page
from herald_web.status.sections import SECTIONS, facts
from herald_web.status.sections import render as render_sections


@page(Level.VIEWER)
def index(request: HttpRequest) -> HttpResponse:
    sections = render_sections(facts(level_of(request.user)))
    return render(request, "status/index.html", {
        "section": "status", "sections": sections,
        "absent": [name for name in SECTIONS if name not in sections],
    })
