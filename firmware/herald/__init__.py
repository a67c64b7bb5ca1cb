"""Herald's device services: audio, events, hardware, SNMP, SIP, updates."""
