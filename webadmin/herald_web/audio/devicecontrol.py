"""audiodevicecontrol.cgi: the device settings as VAPIX's Audio Device Control tree.

One device "0" with one input "0" (the microphone) and one output "0" (the
speaker), each a connection type holding a signaling type holding one
channel with its gain (dB) and mute. The values are the parameters of
AudioSource.A0; setting them goes through the parameter store like every
other change, so the engine, the web page and param.cgi agree. A partial
tree is accepted, as real clients send one.
"""

from __future__ import annotations

from typing import Any

from herald.access import Level
from herald.audio.contract import (
    INPUT_GAINS,
    INPUT_TYPES,
    OUTPUT_GAINS,
    POWER_TYPES,
    params_from_settings,
    settings_from_params,
)
from herald.params import ParamError
from herald_web.accounts.parameters import apply_params
from herald_web.device import params
from herald_web.vapix.jsonapi import MODERN, JsonApi, JsonApiError

api = JsonApi(versions=("1.0",), errors=MODERN)
SIGNALING = "unbalanced"
OUTPUT_CONNECTION = "internal"


def _settings() -> Any:
    return settings_from_params(params().snapshot().get)


def _tree(capabilities: bool) -> dict[str, Any]:
    settings = _settings()

    def channel(gain: int, mute: bool, gains: range) -> dict[str, Any]:
        if capabilities:
            return {"id": 0, "gainValues": list(gains), "mute": True}
        return {"id": 0, "gain": gain, "mute": mute}

    def signaling(channels: dict[str, Any], power: str | None) -> dict[str, Any]:
        item: dict[str, Any] = {"id": SIGNALING, "channels": [channels]}
        if power is not None:
            item["powerTypes" if capabilities else "powerType"] = (
                list(POWER_TYPES) if capabilities else power)
        return item

    def connection(kind: str, channels: dict[str, Any], power: str | None) -> dict[str, Any]:
        item: dict[str, Any] = {"id": kind, "signalingTypes": [signaling(channels, power)]}
        if not capabilities:
            item["signalingTypeSelected"] = SIGNALING
        return item

    mic = channel(settings.input_gain, settings.input_mute, INPUT_GAINS)
    speaker = channel(settings.output_gain, settings.output_mute, OUTPUT_GAINS)
    microphone: dict[str, Any] = {
        "id": "0", "name": "Microphone",
        "connectionTypes": [connection(kind, mic, settings.power_type) for kind in INPUT_TYPES],
    }
    output: dict[str, Any] = {
        "id": "0", "name": "Speaker",
        "connectionTypes": [connection(OUTPUT_CONNECTION, speaker, None)],
    }
    if not capabilities:
        microphone["connectionTypeSelected"] = settings.input_type
        microphone["enabled"] = settings.input_enabled
        output["connectionTypeSelected"] = OUTPUT_CONNECTION
    return {"devices": [{"id": "0", "name": "Herald speaker", "inputs": [microphone],
                         "outputs": [output]}]}


@api.method("getDevicesCapabilities", Level.OPERATOR)
def get_capabilities(request: Any, params_: dict[str, Any]) -> dict[str, Any]:
    return _tree(capabilities=True)


@api.method("getDevicesSettings", Level.OPERATOR)
def get_settings(request: Any, params_: dict[str, Any]) -> dict[str, Any]:
    return _tree(capabilities=False)


@api.method("getHazardousSettings", Level.OPERATOR)
def get_hazardous(request: Any, params_: dict[str, Any]) -> dict[str, Any]:
    return {"powerTypes": []}  # plug-in power for electret microphones harms nothing


def _list(value: Any, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise JsonApiError("invalid", f"{where} must be a list")
    return value


def _channel_changes(channels: list[Any], where: str, gains: range, gain_key: str,
                     mute_key: str) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    for channel in _list(channels, f"{where}.channels"):
        if not isinstance(channel, dict) or channel.get("id") != 0:
            raise JsonApiError("invalid", f"{where}: there is only channel 0")
        if "gain" in channel:
            gain = channel["gain"]
            if isinstance(gain, bool) or not isinstance(gain, int) or gain not in gains:
                raise JsonApiError("invalid", f"{where}: gain must be one of the gainValues "
                                              f"({gains.start} to {gains.stop - 1})")
            changes[gain_key] = gain
        if "mute" in channel:
            if not isinstance(channel["mute"], bool):
                raise JsonApiError("invalid", f"{where}: mute must be true or false")
            changes[mute_key] = channel["mute"]
    return changes


def _port_changes(port: dict[str, Any], where: str, kinds: tuple[str, ...], gains: range,
                  gain_key: str, mute_key: str, is_input: bool) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    if "connectionTypeSelected" in port:
        if port["connectionTypeSelected"] not in kinds:
            raise JsonApiError("invalid", f"{where}: connectionTypeSelected must be one of "
                                          f"{', '.join(kinds)}")
        if is_input:
            changes["input_type"] = port["connectionTypeSelected"]
    if is_input and "enabled" in port:
        if not isinstance(port["enabled"], bool):
            raise JsonApiError("invalid", f"{where}: enabled must be true or false")
        changes["input_enabled"] = port["enabled"]
    for connection in _list(port.get("connectionTypes", []), f"{where}.connectionTypes"):
        if not isinstance(connection, dict) or connection.get("id") not in kinds:
            raise JsonApiError("invalid", f"{where}: connection types are {', '.join(kinds)}")
        for signaling in _list(connection.get("signalingTypes", []),
                               f"{where}.signalingTypes"):
            if not isinstance(signaling, dict) or signaling.get("id") != SIGNALING:
                raise JsonApiError("invalid", f"{where}: the signaling type is {SIGNALING}")
            if "powerType" in signaling:
                if not is_input or signaling["powerType"] not in POWER_TYPES:
                    raise JsonApiError("invalid", f"{where}: powerType must be one of "
                                                  f"{', '.join(POWER_TYPES)}")
                changes["power_type"] = signaling["powerType"]
            changes.update(_channel_changes(signaling.get("channels", []), where, gains,
                                            gain_key, mute_key))
    return changes


@api.method("setDevicesSettings", Level.OPERATOR)
def set_settings(request: Any, params_: dict[str, Any]) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    for device in _list(params_.get("devices"), "devices"):
        if not isinstance(device, dict) or device.get("id") != "0":
            raise JsonApiError("invalid", "there is only device \"0\"")
        for port in _list(device.get("inputs", []), "inputs"):
            if not isinstance(port, dict) or port.get("id") != "0":
                raise JsonApiError("invalid", "there is only input \"0\"")
            changes.update(_port_changes(port, "input 0", INPUT_TYPES, INPUT_GAINS,
                                         "input_gain", "input_mute", True))
        for port in _list(device.get("outputs", []), "outputs"):
            if not isinstance(port, dict) or port.get("id") != "0":
                raise JsonApiError("invalid", "there is only output \"0\"")
            changes.update(_port_changes(port, "output 0", (OUTPUT_CONNECTION,), OUTPUT_GAINS,
                                         "output_gain", "output_mute", False))
    try:
        apply_params(params_from_settings(changes), request.herald_level,
                     request.user.get_username())
    except ParamError as exc:
        raise JsonApiError("invalid", f"{exc.name}: {exc.reason}") from None
    return {}
