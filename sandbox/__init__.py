"""Try the bot without Discord: a Discord-compatible server on 127.0.0.1 (`fakediscord`, also the
wire-level tests' server), a demo school server (`demo`) and a web page to act as its users (`web`)."""
