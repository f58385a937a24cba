"""The repository layer: the only code that builds queries. Services call it with plain values."""
