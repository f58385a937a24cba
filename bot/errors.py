"""Errors the core raises for problems a person can fix, each carrying what, where and what to do."""

from __future__ import annotations


class VeilleError(Exception):
    """A problem with a clear cause that the CLI reports in one line, without a traceback."""

    exit_code = 1

    def __init__(self, what: str, *, where: str | None = None, todo: str | None = None) -> None:
        self.what = what
        self.where = where
        self.todo = todo
        super().__init__(self.one_line())

    def one_line(self) -> str:
        parts = [f"{self.where}: {self.what}" if self.where else self.what]
        if self.todo:
            parts.append(self.todo)
        return " — ".join(parts)


class ConfigError(VeilleError):
    """A setting or `feeds.toml` is wrong; the process cannot start until it is fixed."""

    exit_code = 2

    def __init__(
        self,
        what: str,
        *,
        where: str | None = None,
        todo: str | None = None,
        details: list[str] | None = None,
    ) -> None:
        self.details = details or []
        super().__init__(what, where=where, todo=todo)


class ConnectError(VeilleError):
    """A service we depend on (the database, Discord) cannot be reached or refused us."""

    exit_code = 3


class UserProblem(Exception):
    """Something a user asked for cannot be done as asked (a bad time, an empty take…).

    It carries a translation key and its parameters, not a sentence: the adapter answers in the
    user's own language, privately, and nothing has been changed.
    """

    def __init__(self, key: str, **params: object) -> None:
        self.key = key
        self.params = params
        super().__init__(f"{key} {params}" if params else key)
