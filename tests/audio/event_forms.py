"""The Rules page's form as a browser fills it in, for the tests that make rules."""

from __future__ import annotations

from herald.events import contract as events


def rule_form(clip: int | str, **changes: str) -> dict[str, str]:
    """The rule form's fields; `clip` "" for an action that plays none."""
    return {"name": "Doorbell", "enabled": "on", "trigger": events.MANUAL_TRIGGER.topic,
            "trigger_port": "1", "trigger_schedule": "", "condition": "", "condition_port": "1",
            "condition_schedule": "", "wait_seconds": "0", "action": "play_clip",
            "clip": str(clip), "volume": "100", "repeat": "0", "mode": "once", "recipient": "",
            "subject": "", "message": "", **changes}
