"""The SNMP agent (herald-snmp): System > SNMP of the manual."""
