"""`python -m bake` is the `bitbake` command."""

from bake.cli import console_main

console_main()
