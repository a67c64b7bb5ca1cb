"""The parameter store's contract on the bus.

Event CHANGED {"changed": {name: value}, "removed": [name]}: sent after every
stored change, with what an anonymous viewer may see (hidden values left out).
"""

from __future__ import annotations

CHANGED = "params.changed"
