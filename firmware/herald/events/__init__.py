"""Events: what happens on the device (sources), the rules that react to it,
and the actions and notifications they run (System > Events in the manual)."""
