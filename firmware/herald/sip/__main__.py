"""`python -m herald.sip` runs the SIP service, as herald-sip does."""

from herald.sip.daemon import main

main()
