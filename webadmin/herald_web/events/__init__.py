"""System > Events: the pages for rules and the manual trigger, and the VAPIX
event services (virtual inputs, event instances, the event stream)."""
