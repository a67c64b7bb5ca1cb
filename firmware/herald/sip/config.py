"""baresip's configuration and accounts files, rendered from the settings.

Calls are answered, refused and ended by the SIP service, not by baresip:
its accounts answer manually, and it has no ring tones (its audio path is
the service's own directory), so the speaker rings only as a rule says."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from herald.sip.settings import Account, UserAgent

MODULES = "/usr/lib/baresip/modules"
CODEC_MODULES = ("opus", "g722", "g711")
# SIP.AudioCodecs' names: baresip's codecs, as an account's audio_codecs lists them.
CODECS = {"opus": "opus/48000/2", "g722": "G722/16000/1", "pcmu": "PCMU/8000/1",
          "pcma": "PCMA/8000/1"}
# SIP.PeerToPeer.SRTP: baresip's media encryption (SDES keys in the SDP);
# "optional" offers it and takes a call without, "required" refuses one without.
MEDIA_ENCRYPTION = {"off": "", "optional": "srtp", "required": "srtp-mand"}


@dataclass(frozen=True)
class Media:
    """Where a call's audio goes and comes from: baresip's "<module>,<device>"."""

    player: str
    source: str
    interface: str = ""  # the network interface whose address the SDP offers; "": the default

    def modules(self) -> list[str]:
        return sorted({self.player.split(",")[0], self.source.split(",")[0]})


def render_config(agent: UserAgent, media: Media, control_port: int, directory: Path) -> str:
    lines = [
        "poll_method epoll",
        f"sip_listen 0.0.0.0:{agent.port}",
        "call_max_calls 1",  # a second call while one is under way is busy (486)
        f"audio_player {media.player}",
        f"audio_source {media.source}",
        f"audio_alert {media.player}",
        f"audio_path {directory}",
        f"rtp_ports {agent.rtp_ports[0]}-{agent.rtp_ports[1]}",
        f"module_path {MODULES}",
        *(f"module {name}.so" for name in (*CODEC_MODULES, "srtp", *media.modules())),
        "module_app account.so",
        "module_app menu.so",
        "module ctrl_tcp.so",
        f"ctrl_tcp_listen 127.0.0.1:{control_port}",
    ]
    if media.interface:
        lines.append(f"net_interface {media.interface}")
    return "\n".join(lines) + "\n"


def peer_to_peer_uri(agent: UserAgent, host: str) -> str:
    return f"sip:{agent.user}@{host}"


def _media(agent: UserAgent) -> str:
    codecs = ",".join(CODECS[name] for name in agent.codecs)
    encryption = MEDIA_ENCRYPTION[agent.srtp]
    return f";audio_codecs={codecs}{f';mediaenc={encryption}' if encryption else ''}"


def render_accounts(agent: UserAgent, host: str) -> str:
    """The accounts file: the peer-to-peer account, which registers nowhere
    (regint=0). The PBX accounts are added once the service listens to
    baresip (pbx_account), so that it hears how their registrations go."""
    return f"<{peer_to_peer_uri(agent, host)}>;regint=0;answermode=manual{_media(agent)}\n"


def pbx_account(agent: UserAgent, account: Account) -> str:
    """A PBX account's line, registering every interval. The parameters'
    types keep out what would end one of its fields."""
    name = f'"{account.caller_id}" ' if account.caller_id else ""
    auth = f";auth_user={account.auth_user}" if account.auth_user else ""
    password = f";auth_pass={account.password}" if account.password else ""
    return (f"{name}<{account.uri};transport={account.transport}>{auth}{password}"
            f";regint={agent.registration_interval};answermode=manual{_media(agent)}")
