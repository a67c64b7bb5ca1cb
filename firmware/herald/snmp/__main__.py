"""`python -m herald.snmp` runs the SNMP agent, as herald-snmp does."""

from herald.snmp.daemon import main

main()
