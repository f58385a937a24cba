"""The sandbox as a person starts it from a terminal: `make run` with no token prints the page's
address and serves it, Ctrl-C stops it cleanly, and it refuses to run beside a real token."""

from __future__ import annotations

import os
import queue
import re
import signal
import socket
import subprocess
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.test_cli import VEILLE, veille

ADDRESS = re.compile(r"Open (http://127\.0\.0\.1:\d+/) in your browser")
READY = "The first case study is in #veille"


class Terminal:
    """A command started as from a shell (its own process group, as Ctrl-C reaches it), whose
    output is read line by line while it runs."""

    def __init__(self, command: list[str], env: dict[str, str], cwd: Path) -> None:
        self.process = subprocess.Popen(
            command,
            cwd=cwd,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        self.lines: list[str] = []
        self._queue: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self._queue.put(line.rstrip("\n"))
        self._queue.put(None)

    def wait_for(self, pattern: str | re.Pattern[str], timeout: float = 120) -> re.Match[str]:
        wanted = re.compile(pattern) if isinstance(pattern, str) else pattern
        for seen in self.lines:
            if found := wanted.search(seen):
                return found
        while True:
            try:
                line = self._queue.get(timeout=timeout)
            except queue.Empty:
                raise AssertionError(f"no {wanted.pattern!r} within {timeout}s:\n{self.output}") from None
            if line is None:
                raise AssertionError(f"the process ended before {wanted.pattern!r}:\n{self.output}")
            self.lines.append(line)
            if found := wanted.search(line):
                return found

    def interrupt(self, timeout: float = 60) -> int:
        """Ctrl-C: SIGINT to the whole foreground group, as a terminal sends it."""
        os.killpg(self.process.pid, signal.SIGINT)
        code = self.process.wait(timeout=timeout)
        while (rest := self._queue.get(timeout=5)) is not None:
            self.lines.append(rest)
        return code

    @property
    def output(self) -> str:
        return "\n".join(self.lines)

    def kill(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


@pytest.fixture
def sandbox_env(tmp_path: Path) -> dict[str, str]:
    """No token; any free port; the offline sample feeds; the sandbox's file in a temporary folder."""
    env = {key: value for key, value in os.environ.items() if key not in ("DISCORD_TOKEN", "MAKEFLAGS")}
    env.update(
        SANDBOX_PORT="0",
        SANDBOX_FEEDS="samples",
        SANDBOX_DATABASE=str(tmp_path / "sandbox.db"),
        DATABASE_URL=f"sqlite:///{tmp_path / 'veille.db'}",
    )
    return env


@pytest.fixture
def terminals() -> Iterator[list[Terminal]]:
    started: list[Terminal] = []
    yield started
    for terminal in started:
        terminal.kill()


def page_of(address: str) -> str:
    with urllib.request.urlopen(address, timeout=10) as response:
        assert response.status == 200
        return str(response.read().decode("utf-8"))


@pytest.mark.timeout(240)
def test_make_run_without_a_token_prints_the_sandbox_address_and_serves_the_page(
    sandbox_env: dict[str, str], terminals: list[Terminal]
) -> None:
    terminal = Terminal(["make", "--no-print-directory", "run"], sandbox_env, REPO)
    terminals.append(terminal)

    address = terminal.wait_for(ADDRESS).group(1)
    terminal.wait_for(READY)
    page = page_of(address)

    assert "No Discord token is set" in terminal.output  # how to get one comes first
    assert "It listens on 127.0.0.1 only" in terminal.output
    assert "127.0.0.1" in page and "Lycée Demo" in page
    assert page.count('class="message') >= 1  # the first case study is there
    terminal.interrupt()
    assert "Sandbox stopped." in terminal.output
    assert "Traceback" not in terminal.output


@pytest.mark.timeout(240)
def test_ctrl_c_stops_the_sandbox_cleanly_and_its_data_stays_apart(
    sandbox_env: dict[str, str], terminals: list[Terminal], tmp_path: Path
) -> None:
    terminal = Terminal([VEILLE, "sandbox", "--feeds", "samples", "--port", "0"], sandbox_env, REPO)
    terminals.append(terminal)
    terminal.wait_for(READY)

    code = terminal.interrupt()

    assert code == 0, terminal.output
    assert "Sandbox stopped." in terminal.lines
    assert "Traceback" not in terminal.output
    assert (tmp_path / "sandbox.db").exists()
    assert not (tmp_path / "veille.db").exists()  # the bot's own database is never opened


def test_the_sandbox_never_runs_beside_a_token(tmp_path: Path) -> None:
    result = veille("sandbox", cwd=tmp_path, env={"DISCORD_TOKEN": "a-real-token"})

    assert result.returncode == 2
    assert result.stderr.startswith("error: DISCORD_TOKEN is set: the sandbox never runs beside a real token")
    assert "a-real-token" not in result.stderr + result.stdout


def test_the_sandbox_refuses_to_delete_the_real_database(tmp_path: Path) -> None:
    real = tmp_path / "veille.db"
    env = {"DATABASE_URL": f"sqlite:///{real}", "SANDBOX_DATABASE": str(real), "SANDBOX_FEEDS": "samples"}

    result = veille("sandbox", "--port", "0", cwd=tmp_path, env=env)

    assert result.returncode == 2, result.stderr
    assert "SANDBOX_DATABASE is the bot's own database" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_taken_port_is_explained(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {"SANDBOX_DATABASE": str(tmp_path / "sandbox.db"), "SANDBOX_FEEDS": "samples"}

        result = veille("sandbox", "--port", str(port), cwd=tmp_path, env=env)

    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(f"error: cannot listen on 127.0.0.1:{port}")
    assert "SANDBOX_PORT" in result.stderr
