"""What the bot stores about a person: exported on request, erased on request, aged out daily."""
