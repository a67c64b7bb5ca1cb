"""Herald's build engine: a BitBake-compatible `bitbake` (see bake/README.md)."""

__version__ = "1.0.0"
# The BitBake release whose metadata syntax and command line this engine follows.
BITBAKE_COMPAT = "2.8.0"
