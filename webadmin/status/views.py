from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.access import page
from herald.access import Level
from status.sections import SECTIONS, facts
from status.sections import render as render_sections


@page(Level.VIEWER)
def index(request: HttpRequest) -> HttpResponse:
    sections = render_sections(facts())
    return render(request, "status/index.html", {
        "section": "status", "sections": sections,
        "absent": [name for name in SECTIONS if name not in sections],
    })
