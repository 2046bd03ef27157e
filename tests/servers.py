"""Real Redis and PostgreSQL servers for the tests, started from the installed binaries.

Each server gets a private directory and a free loopback port and is stopped when the
test process ends. A missing binary is reported as `ServerUnavailable`; conftest turns
that into a skip on a developer machine and a failure under CI.
"""

import atexit
import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path


class ServerUnavailable(RuntimeError):
    pass


def running_under_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def find_binary(name: str, extra_patterns: tuple[str, ...] = ()) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    for pattern in extra_patterns:
        matches = sorted(glob.glob(pattern), reverse=True)
        if matches:
            return matches[0]
    return None


def wait_until(condition, seconds: float, what: str = "the condition") -> float:
    """Poll every 0.1 s until ``condition()`` holds; the seconds it took, or AssertionError after ``seconds``."""
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > seconds:
            raise AssertionError(f"{what}: not done within {seconds} s")
        time.sleep(0.1)
    return time.monotonic() - started


def _wait_for_port(port: int, process: subprocess.Popen, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServerUnavailable(f"server on port {port} exited with code {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise ServerUnavailable(f"server on port {port} did not start within {timeout} s")


class RedisServer:
    def __init__(self) -> None:
        self.binary = find_binary("redis-server")
        if self.binary is None:
            raise ServerUnavailable("redis-server is not installed (Debian package redis-server)")
        self.port = free_port()
        self.directory = tempfile.mkdtemp(prefix="terugbel-redis-")
        self.process: subprocess.Popen | None = None
        self.start()

    def start(self) -> None:
        """Start (again) on the same port, so clients configured with the URL reconnect."""
        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", self.directory],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _wait_for_port(self.port, self.process)

    def halt(self) -> None:
        """Stop the server but keep its port and directory, as in an outage."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def stop(self) -> None:
        self.halt()
        shutil.rmtree(self.directory, ignore_errors=True)


_PG_PATTERNS = ("/usr/lib/postgresql/*/bin/{}",)


def _pg_binary(name: str) -> str | None:
    return find_binary(name, tuple(pattern.format(name) for pattern in _PG_PATTERNS))


class PostgresServer:
    """A throw-away cluster. PostgreSQL refuses to run as root, so as root it runs as `postgres`."""

    def __init__(self) -> None:
        initdb, postgres = _pg_binary("initdb"), _pg_binary("postgres")
        if initdb is None or postgres is None:
            raise ServerUnavailable("PostgreSQL server binaries are not installed (Debian package postgresql)")
        self.port = free_port()
        self.directory = tempfile.mkdtemp(prefix="terugbel-pg-")
        run_as: list[str] = []
        if os.geteuid() == 0:
            try:
                account = pwd.getpwnam("postgres")
            except KeyError:
                raise ServerUnavailable("running as root and there is no 'postgres' user to run the server") from None
            os.chown(self.directory, account.pw_uid, account.pw_gid)
            os.chmod(self.directory, 0o700)
            run_as = ["runuser", "-u", "postgres", "--"]
        self.data = str(Path(self.directory) / "data")
        subprocess.run(
            [*run_as, initdb, "-D", self.data, "-U", "postgres", "--auth=trust", "--encoding=UTF8",
             "--locale=C.UTF-8"],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.command = [*run_as, postgres, "-D", self.data, "-p", str(self.port), "-h", "127.0.0.1",
                        "-k", self.directory, "-c", "fsync=off", "-c", "synchronous_commit=off",
                        "-c", "full_page_writes=off"]
        self.start()

    def start(self) -> None:
        """Start (again) on the same port and data directory, as after a restart."""
        self.process = subprocess.Popen(self.command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _wait_for_port(self.port, self.process, timeout=30)

    def halt(self) -> None:
        """A fast shutdown (what `pg_ctl restart` does): sessions are ended, the data stays.

        The signal goes to the postmaster itself: `runuser` would turn it into SIGTERM and later SIGKILL.
        """
        if self.process.poll() is None:
            postmaster = int(Path(self.data, "postmaster.pid").read_text().split()[0])
            os.kill(postmaster, signal.SIGINT)
            self.process.wait(timeout=30)

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/terugbel"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
        shutil.rmtree(self.directory, ignore_errors=True)


_session_server: PostgresServer | None = None


def postgres_url_for_session() -> str:
    """Start one server for this test process; on failure keep SQLite and tell conftest why."""
    global _session_server
    try:
        server = PostgresServer()
    except (ServerUnavailable, subprocess.CalledProcessError) as problem:
        os.environ["TERUGBEL_PG_UNAVAILABLE"] = str(problem)
        return ""
    atexit.register(server.stop)
    _session_server = server
    return server.url


def postgres_server_for_session() -> PostgresServer | None:
    """The server postgres_url_for_session started, for tests that restart it."""
    return _session_server
