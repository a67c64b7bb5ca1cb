"""The parameter groups of the device's own settings; services add theirs in
`herald.<service>.params` (see `herald.params.default_tree`)."""
