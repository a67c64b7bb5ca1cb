"""`python -m herald.update` runs the update service, as herald-updater does."""

from herald.update.daemon import main

main()
