"""The feed engine: which feeds exist, their health, and (later) fetching and parsing them."""
