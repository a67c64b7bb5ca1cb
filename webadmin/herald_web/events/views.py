"""System > Events: the rules (add, edit in place, turn on or off, delete, each
one's last run and error), the recipients of notifications, the schedules and
pulses, and the manual trigger. The events service (herald-core,
herald.events) keeps and runs the rules; these pages ask it and show its
answers."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from herald.access import Level
from herald.events import contract
from herald_web.accounts.access import page
from herald_web.audio.engine import clips
from herald_web.device import call
from herald_web.events.forms import (
    ACTIONS,
    MODES,
    NotOnThePage,
    RecipientForm,
    RuleForm,
    ScheduleForm,
    describe,
)

CONTEXT = {"section": "system", "page_key": "system.events"}


def _told(request: HttpRequest, answer: dict[str, Any], done: str) -> HttpResponse:
    if answer.get("ok"):
        messages.success(request, done)
    else:
        messages.error(request, answer["message"])
    return redirect("events:rules")


def _clip_choices() -> list[tuple[int, str]]:
    return [(clip.id, clip.name) for clip in clips().list()]


def _schedules() -> list[dict[str, Any]]:
    return call(contract.SERVICE, contract.LIST_SCHEDULES).get("schedules", [])


def _recipients() -> list[dict[str, Any]]:
    return call(contract.SERVICE, contract.LIST_RECIPIENTS).get("recipients", [])


def _rule_form(data: Any = None, initial: dict[str, Any] | None = None) -> RuleForm:
    return RuleForm(data, initial=initial, clips=_clip_choices(),
                    schedules=[(s["id"], s["name"]) for s in _schedules()],
                    recipients=[(r["id"], r["name"]) for r in _recipients()])


def _manual_trigger_on() -> bool | None:
    answer = call(contract.SERVICE, contract.STATES)
    if not answer.get("ok"):
        return None
    return any(s["topic"] == contract.MANUAL_TRIGGER.topic and s["value"]
               for s in answer["states"])


@page(Level.ADMIN)
def rules(request: HttpRequest, form: RuleForm | None = None,
          schedule_form: ScheduleForm | None = None,
          recipient_form: RecipientForm | None = None,
          editing: dict[str, Any] | None = None) -> HttpResponse:
    """The page; `form` is the rule form (for the rule `editing`, if given)."""
    answer = call(contract.SERVICE, contract.LIST_RULES)
    clip_names = dict(_clip_choices())
    schedules = _schedules()
    names = {s["id"]: s["name"] for s in schedules}
    recipient_names = {r["id"]: r["name"] for r in _recipients()}
    listed = [{
        **rule, "when": " and ".join(describe(c, names)
                                     for c in (rule["trigger"], *rule["conditions"])),
        "does": ACTIONS[rule["action"]["kind"]] + (
            f" {clip_names.get(rule['action']['clip'], '(a removed clip)')}"
            if rule["action"]["kind"] == contract.PLAY_CLIP else
            f" to {recipient_names.get(rule['action']['recipient'], '(a removed recipient)')}"
            if rule["action"]["kind"] == contract.NOTIFY_ACTION else
            f" {rule['action']['profile']}"
            if rule["action"]["kind"] == contract.LIGHT_PROFILE else
            f" to {rule['action']['address']}"
            if rule["action"]["kind"] == contract.SIP_CALL_ACTION else "")
        + ("" if rule["action"]["mode"] == "once" else f", {MODES[rule['action']['mode']]}"),
        "last_run_at": rule["last_run"] and datetime.fromtimestamp(rule["last_run"], UTC),
    } for rule in answer.get("rules", [])]
    return render(request, "events/rules.html", {
        **CONTEXT, "rules": listed, "unavailable": not answer.get("ok"),
        "form": form or _rule_form(), "editing": editing, "schedules": schedules,
        "schedule_form": schedule_form or ScheduleForm(), "recipients": _recipients(),
        "recipient_form": recipient_form or RecipientForm(),
        "manual_trigger": _manual_trigger_on(), "max_rules": contract.MAX_RULES})


@page(Level.ADMIN)
@require_POST
def add(request: HttpRequest) -> HttpResponse:
    form = _rule_form(request.POST)
    if not form.is_valid():
        return rules(request, form)
    rule = form.rule()
    answer = call(contract.SERVICE, contract.ADD_RULE, rule=rule, by=request.user.get_username())
    return _told(request, answer, f"The rule {rule['name']} is added.")


def _rule(rule_id: str) -> dict[str, Any] | None:
    """The rule numbered `rule_id` (URLs take any text: access is checked before
    routing matters), or None."""
    answer = call(contract.SERVICE, contract.LIST_RULES)
    return next((r for r in answer.get("rules", []) if str(r["id"]) == rule_id), None)


@page(Level.ADMIN)
@require_http_methods(["GET", "HEAD", "POST"])
def edit(request: HttpRequest, rule_id: str) -> HttpResponse:
    """Change a rule in place: it keeps its id and its last run. The form comes
    filled in with the rule; what is wrong with a change is shown on it, and
    the rule stays as it was. A rule made through VAPIX runs its action
    configuration until its action is changed here."""
    rule = _rule(rule_id)
    if rule is None:
        return _told(request, {"ok": False, "message": f"There is no rule {rule_id}."}, "")
    if request.method != "POST":
        try:
            return rules(request, _rule_form(initial=RuleForm.initial_of(rule)), editing=rule)
        except NotOnThePage as exc:
            return _told(request, {"ok": False, "message": str(exc)}, "")
    form = _rule_form(request.POST)
    if form.is_valid():
        changed = form.rule()
        unchanged_action = {k: v for k, v in rule["action"].items()
                            if k in changed["action"]} == changed["action"]
        if unchanged_action and rule["configuration"] is not None:
            changed["configuration"] = rule["configuration"]
        answer = call(contract.SERVICE, contract.UPDATE_RULE, rule_id=rule["id"], rule=changed,
                      by=request.user.get_username())
        if answer.get("ok"):
            return _told(request, answer, f"The rule {changed['name']} is changed.")
        messages.error(request, answer["message"])
    return rules(request, form, editing=rule)


def _change(request: HttpRequest, rule_id: str, method: str, done: str,
            **params: Any) -> HttpResponse:
    """Ask the service to change rule `rule_id` (as the URL has it); say how it went."""
    rule = _rule(rule_id)
    if rule is None:
        return _told(request, {"ok": False, "message": f"There is no rule {rule_id}."}, "")
    answer = call(contract.SERVICE, method, rule_id=rule["id"], by=request.user.get_username(),
                  **{k: v(rule) for k, v in params.items()})
    return _told(request, answer, done.format(name=rule["name"]))


@page(Level.ADMIN)
@require_POST
def switch(request: HttpRequest, rule_id: str) -> HttpResponse:
    enabled = request.POST.get("enabled") == "on"
    return _change(request, rule_id, contract.UPDATE_RULE,
                   "The rule {name} is " + ("on." if enabled else "off."),
                   rule=lambda rule: {**{k: rule[k] for k in (
                       "name", "trigger", "conditions", "action", "wait_seconds",
                       "configuration")}, "enabled": enabled})


@page(Level.ADMIN)
@require_POST
def delete(request: HttpRequest, rule_id: str) -> HttpResponse:
    return _change(request, rule_id, contract.REMOVE_RULE, "The rule {name} is deleted.")


@page(Level.ADMIN)
@require_POST
def manual_trigger(request: HttpRequest) -> HttpResponse:
    active = request.POST.get("active") == "on"
    return _told(request, call(contract.SERVICE, contract.SET_MANUAL_TRIGGER, active=active,
                               by=request.user.get_username()),
                 f"The manual trigger is {'on' if active else 'off'}.")


@page(Level.ADMIN)
@require_POST
def add_schedule(request: HttpRequest) -> HttpResponse:
    form = ScheduleForm(request.POST)
    if not form.is_valid():
        return rules(request, schedule_form=form)
    name = form.cleaned_data["name"]
    answer = call(contract.SERVICE, contract.ADD_SCHEDULE, name=name, ical=form.ical(),
                  by=request.user.get_username())
    return _told(request, answer, f"The schedule {name} is added.")


@page(Level.ADMIN)
@require_POST
def delete_schedule(request: HttpRequest, schedule_id: str) -> HttpResponse:
    answer = call(contract.SERVICE, contract.REMOVE_SCHEDULE, schedule_id=schedule_id,
                  by=request.user.get_username())
    return _told(request, answer, "The schedule is deleted.")


@page(Level.ADMIN)
@require_POST
def add_recipient(request: HttpRequest) -> HttpResponse:
    """Save the recipient, or with the Test button send it the test notification."""
    form = RecipientForm(request.POST)
    if not form.is_valid():
        return rules(request, recipient_form=form)
    recipient = form.recipient()
    if "test" in request.POST:
        answer = call(contract.SERVICE, contract.TEST_RECIPIENT, recipient=recipient,
                      timeout=60)
        if answer.get("ok"):
            messages.success(request, f"The test notification reached {recipient['name']}.")
        else:
            messages.error(request, f"The test failed: {answer['message']}")
        return rules(request, recipient_form=form)
    answer = call(contract.SERVICE, contract.ADD_RECIPIENT, recipient=recipient,
                  by=request.user.get_username())
    if not answer.get("ok"):
        messages.error(request, answer["message"])
        return rules(request, recipient_form=form)
    return _told(request, answer, f"The recipient {recipient['name']} is added.")


@page(Level.ADMIN)
@require_POST
def test_recipient(request: HttpRequest, recipient_id: str) -> HttpResponse:
    answer = call(contract.SERVICE, contract.TEST_RECIPIENT,
                  recipient=int(recipient_id) if recipient_id.isdigit() else recipient_id,
                  timeout=60)
    if not answer.get("ok"):
        answer = {**answer, "message": f"The test failed: {answer['message']}"}
    return _told(request, answer, "The test notification reached the recipient.")


@page(Level.ADMIN)
@require_POST
def delete_recipient(request: HttpRequest, recipient_id: str) -> HttpResponse:
    answer = call(contract.SERVICE, contract.REMOVE_RECIPIENT,
                  recipient_id=int(recipient_id) if recipient_id.isdigit() else recipient_id,
                  by=request.user.get_username())
    return _told(request, answer, "The recipient is deleted.")
