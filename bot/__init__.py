"""veille-bot's platform-free core: configuration, storage and services, with no Discord in it."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("veille-bot")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"
