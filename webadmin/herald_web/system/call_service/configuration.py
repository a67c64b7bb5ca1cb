"""The Call service's SIP configuration, audio codecs, media encryption
modes and capabilities: SIP.* parameters herald-sip honours, set as System >
SIP sets them (checked by the parameters' types, all or none)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from herald.access import Level
from herald.params import ParamError
from herald.sip.contract import CODECS, MAX_ACCOUNTS, SRTP
from herald_web.accounts.parameters import apply_params
from herald_web.device import params
from herald_web.system.call_service.request import (
    api,
    changes,
    required,
    section,
    values,
)
from herald_web.vapix.jsonapi import JsonApiError

CONFIGURATION = "SIPConfiguration"
# SIPConfiguration's fields: what herald-sip follows of System > SIP's settings.
SETTINGS = {
    "SIPEnabled": ("SIP.Enabled", bool),
    "AllowIncomingCalls": ("SIP.AllowIncoming", bool),
    "Port": ("SIP.Port", int),
    "RTPStartPort": ("SIP.RTPStartPort", int),
    "CallTimeout": ("SIP.CallTimeout", int),
    "MaxCallDuration": ("SIP.MaxCallDuration", int),
    "RegistrationInterval": ("SIP.RegistrationInterval", int),
}
AUDIO_CODECS = "SIP.AudioCodecs"


def store(request: HttpRequest, found: dict[str, str]) -> None:
    """Set the parameters, all or none; a refusal names the one at fault."""
    try:
        apply_params(found, Level.ADMIN, request.user.get_username())
    except ParamError as exc:
        raise JsonApiError("invalid", str(exc)) from None


@api.method("axcall:GetSIPConfiguration", Level.OPERATOR, versioned=False)
def get_configuration(request: HttpRequest, body: dict[str, Any]) -> dict[str, Any]:
    return {CONFIGURATION: values(params().snapshot(), SETTINGS)}


@api.method("axcall:SetSIPConfiguration", Level.ADMIN, versioned=False)
def set_configuration(request: HttpRequest, body: dict[str, Any]) -> dict[str, Any]:
    store(request, changes(section(body, CONFIGURATION), SETTINGS, CONFIGURATION,
                           "a SIP setting Herald has"))
    return get_configuration(request, body)


def _codecs(value: str) -> dict[str, list[str]]:
    return {"AudioCodecs": value.split(",")}


@api.method("axcall:GetSupportedAudioCodecs", Level.OPERATOR, versioned=False)
def supported_codecs(request: HttpRequest, body: dict[str, Any]) -> dict[str, Any]:
    return {"AudioCodecs": list(CODECS)}


@api.method("axcall:GetDefaultAudioCodecs", Level.OPERATOR, versioned=False)
def default_codecs(request: HttpRequest, body: dict[str, Any]) -> dict[str, Any]:
    return _codecs(params().tree.resolve(AUDIO_CODECS).definition.default())


@api.method("axcall:GetAudioCodecs", Level.OPERATOR, versioned=False)
def get_codecs(request: HttpRequest, body: dict[str, Any]) -> dict[str, Any]:
    return _codecs(params().snapshot().get(AUDIO_CODECS))


@api.method("axcall:SetAudioCodecs", Level.ADMIN, versioned=False)
def set_codecs(request: HttpRequest, body: dict[str, Any]) -> dict[str, Any]:
    """The codecs calls may use, by priority (the simple form: comma separated)."""
    names = required(body, "AudioCodecs", list)
    if not all(isinstance(name, str) for name in names):
        raise JsonApiError("invalid", "AudioCodecs must be a list of codec names")
    store(request, {AUDIO_CODECS: ",".join(names)})
    return get_codecs(request, body)


@api.method("axcall:GetSupportedMediaEncryptionModes", Level.OPERATOR, versioned=False)
def encryption_modes(request: HttpRequest, body: dict[str, Any]) -> dict[str, Any]:
    """SRTP: the peer-to-peer account's MediaEncryption (SIP.PeerToPeer.SRTP)."""
    return {"MediaEncryptionModes": list(SRTP)}


@api.method("axcall:GetServiceCapabilities", Level.OPERATOR, versioned=False)
def capabilities(request: HttpRequest, body: dict[str, Any]) -> dict[str, Any]:
    return {"Capabilities": {"MaxSIPAccounts": MAX_ACCOUNTS, "MaxConcurrentCalls": 1,
                             "VMSCalls": False, "SimpleFormat": True}}
