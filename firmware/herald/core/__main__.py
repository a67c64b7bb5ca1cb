"""`python -m herald.core` runs the daemon, as the herald-core service does."""

from herald.core.daemon import main

main()
