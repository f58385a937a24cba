"""The digest tests' set-up group (real database, recording platform) serves the privacy tests."""

from tests.digest.conftest import group

__all__ = ["group"]
