"""Speaker test (its own menu section in the manual, between Audio and Light):
calibrate, run the test, see the result and the response per band.

The audio service runs it (herald.audio.speakertest) and validates every
request; these views start it, read its state from the bus and draw the
calibration and the last test as an inline SVG chart.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from herald.access import Level
from herald.audio import contract
from herald_web.accounts.access import api, page
from herald_web.audio.engine import EngineError, call
from herald_web.device import bus

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 12, 34  # room for the axes' labels
GRID_DB = 10


def state() -> contract.SpeakerTestState | None:
    """The speaker test as the audio service last published it; None if it never did."""
    raw = bus().state().get(contract.SPEAKER_TEST)
    return None if raw is None else contract.SpeakerTestState.from_dict(raw)


@dataclass(frozen=True)
class Chart:
    """The geometry of the chart: one polyline per unbroken run of levels."""

    reference: list[str]
    test: list[str]
    tolerance: str  # the reference ± tolerance as a polygon
    failed: list[tuple[float, float]]  # points of the bands that failed
    grid: list[tuple[float, int]]  # y and dB of each grid line
    ticks: list[tuple[float, str]]  # x and name of each band


def chart(now: contract.SpeakerTestState) -> Chart | None:
    """Reference and last test per band, scaled to the SVG; None with nothing to draw."""
    test = now.last.levels if now.last and now.last.kind == contract.TEST else ()
    values = [v for v in (*now.reference, *test) if v is not None]
    if not values:
        return None
    low = math.floor((min(values) - now.tolerance) / GRID_DB) * GRID_DB
    high = math.ceil((max(values) + now.tolerance) / GRID_DB) * GRID_DB

    def x(index: int) -> float:
        return round(LEFT + index * (WIDTH - LEFT - RIGHT) / (len(now.bands) - 1), 1)

    def y(db: float) -> float:
        return round(TOP + (high - db) * (HEIGHT - TOP - BOTTOM) / (high - low), 1)

    def lines(levels: tuple[float | None, ...]) -> list[str]:
        runs: list[list[str]] = [[]]
        for index, level in enumerate(levels):
            if level is None:
                runs.append([])
            else:
                runs[-1].append(f"{x(index)},{y(level)}")
        return [" ".join(run) for run in runs if run]

    known = [(i, v) for i, v in enumerate(now.reference) if v is not None]
    band = [f"{x(i)},{y(v + now.tolerance)}" for i, v in known]
    band += [f"{x(i)},{y(v - now.tolerance)}" for i, v in reversed(known)]
    failed_names = set(now.last.failed) if test and now.last else set()
    return Chart(
        reference=lines(now.reference), test=lines(test), tolerance=" ".join(band),
        failed=[(x(i), y(v)) for i, v in enumerate(test)
                if v is not None and contract.band_name(now.bands[i]) in failed_names],
        grid=[(y(db), db) for db in range(low, high + 1, GRID_DB)],
        ticks=[(x(i), contract.band_name(c).replace(" kHz", "k").replace(" Hz", ""))
               for i, c in enumerate(now.bands)],
    )


def when(timestamp: float | None) -> datetime | None:
    return None if timestamp is None else datetime.fromtimestamp(timestamp, UTC)


@page(Level.OPERATOR)
def index(request: HttpRequest) -> HttpResponse:
    now = state()
    return render(request, "audio/speaker_test.html", {
        "section": "speaker-test", "state": now, "chart": now and chart(now),
        "calibrated_at": now and when(now.calibrated_at),
        "last_at": now and now.last and when(now.last.at),
        "width": WIDTH, "height": HEIGHT, "left": LEFT, "right": WIDTH - RIGHT,
        "axis_y": HEIGHT - BOTTOM, "label_y": HEIGHT - BOTTOM + 16,
    })


def _start(method: str) -> JsonResponse:
    try:
        return JsonResponse(call(method))
    except EngineError as exc:
        return JsonResponse({"error": str(exc)}, status=exc.status)


@api(Level.OPERATOR)
@require_POST
def calibrate(request: HttpRequest) -> JsonResponse:
    return _start(contract.SPEAKER_TEST_CALIBRATE)


@api(Level.OPERATOR)
@require_POST
def run_test(request: HttpRequest) -> JsonResponse:
    return _start(contract.SPEAKER_TEST_RUN)


@api(Level.OPERATOR)
@require_GET
def progress(request: HttpRequest) -> JsonResponse:
    """What runs now, for the page to wait on a run it started."""
    now = state()
    return JsonResponse({"running": now.running if now else ""})
