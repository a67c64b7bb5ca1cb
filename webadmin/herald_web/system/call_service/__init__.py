"""/vapix/call: AXIS's Call service API (Properties.API.SIP, version 2.0)
onto what Herald's SIP has: the SIP.* parameters System > SIP sets, and
herald-sip's bus calls and state (herald/sip/contract.py).

Requests are {"axcall:<Method>": {...}} bodies or the simple form's query
?format=simple&action=axcall:<Method>&<field>=<value>; replies and errors are
VAPIX's JSON envelope (vapix/jsonapi.py). Operators and administrators read
the configuration, the accounts (never a password) and the statuses, and make
and end calls; administrators change the configuration and the accounts.

How the API maps onto Herald:

- SIPConfiguration: the SIP settings herald-sip honours (configuration.py);
  the rest of AXIS's (TLS port, NAT traversal, IPv6...) are refused by name.
- Accounts: the PBX accounts are the SIP.Account.A<n> groups, their Id the
  group ("A0"); the device's own peer-to-peer account is Id "peer-to-peer"
  (SIP.PeerToPeer.*), which cannot be removed. A password is write-only.
- Account statuses are herald-sip's registrations, in its words
  (registered, registering, failed, peer-to-peer).
- Calls: herald-sip has one line, so there is one call at a time and its
  CallId is always "1"; Call is herald-sip's DIAL, TerminateCall its HANGUP.
- Codecs are SIP.AudioCodecs by Herald's names (opus, g722, pcmu, pcma);
  media encryption modes are SIP.PeerToPeer.SRTP's (off, optional, required).
"""

from herald_web.system.call_service import accounts, calls, configuration, request
from herald_web.system.call_service.request import api

__all__ = ["accounts", "api", "calls", "configuration", "request"]
