"""The weekly briefing: what a group discussed, how students positioned themselves, and trends."""
