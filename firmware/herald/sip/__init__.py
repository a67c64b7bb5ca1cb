"""SIP calls: the SIP service (herald-sip) and its contract."""
