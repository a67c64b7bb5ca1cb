"""`python -m herald.system` runs the system service, as herald-system does."""

from herald.system.daemon import main

main()
