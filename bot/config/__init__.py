"""Configuration: settings from the environment and `.env`, feeds and themes from `feeds.toml`."""
