"""Discovery: Bonjour (through avahi), UPnP's SSDP and WS-Discovery."""
