#!/usr/bin/env python3
"""Install, start, wait for, inspect and stop a local Bolt server for tests and benchmarks.

Neo4j itself cannot be installed on these machines, so this runs ArcadeDB's Neo4j-compatible
Bolt server from the PyPI wheel ``arcadedb-embedded`` (Apache-2.0), which bundles a Java 25
runtime (``jre/bin/java``) and the server jars (``jars/*``) inside the package directory.

    .venv/bin/python scripts/bolt_server.py start            # prints the 'export …' lines
    eval "$(.venv/bin/python scripts/bolt_server.py start)"  # … and sets them in this shell
    .venv/bin/python scripts/bolt_server.py status
    .venv/bin/python scripts/bolt_server.py stop

It runs in the project's virtual environment ``.venv`` (where ``pip install -e ".[test]"``
put the server wheel and the Neo4j driver): started with another Python it switches to
``.venv/bin/python``, or, when there is none, stops and says the commands that make it. It
never installs anything outside ``.venv``. ``start`` and ``env`` print the settings
chaingraph reads: ``CHAINGRAPH_STORE`` (the Bolt URL) and ``NEO4J_USERNAME`` /
``NEO4J_PASSWORD`` / ``NEO4J_DATABASE``.

The server listens on 127.0.0.1 only and runs in the background; its state (PID, ports,
password, log, data) lives in ``.bolt-server/`` at the repository root (``--dir`` to change
it). ``start`` returns once a real driver query succeeds, not when the port opens (ArcadeDB
opens the port 4-7 s before the database answers).

ArcadeDB facts this script relies on (version pinned below):

- settings are ``-D`` system properties; the root password (>= 8 characters) is applied only
  when the root path is new, so it is saved in the state file and reused on restart
  (``--fresh`` wipes the data and starts over);
- the user is ``root``; ``arcadedb.server.defaultDatabases=NAME[root]`` creates the database;
- databases can be created and dropped over its HTTP API (``create database X``), which the
  test fixtures use to give every test an empty database quickly.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import importlib.util
import json
import os
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path

ARCADEDB_PACKAGE = "arcadedb-embedded"
ARCADEDB_VERSION = "26.10.2.post1"
MAIN_CLASS = "com.arcadedb.server.ArcadeDBServer"
BOLT_PLUGIN = "Bolt:com.arcadedb.bolt.BoltProtocolPlugin"
HOST = "127.0.0.1"
USER = "root"
REPO = Path(__file__).resolve().parent.parent
DEFAULT_DIR = REPO / ".bolt-server"
STATE_FILE = "server.json"
LOG_FILE = "server.log"

# JVM options the wheel's own launcher (arcadedb_embedded/jvm.py) passes as well.
JVM_OPTIONS = (
    "--add-modules=jdk.incubator.vector",
    "--enable-native-access=ALL-UNNAMED",
    "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
    "--add-opens=java.base/java.nio.channels.spi=ALL-UNNAMED",
    "--add-opens=java.base/java.lang=ALL-UNNAMED",
    "-Djava.awt.headless=true",
    "-Dfile.encoding=UTF8",
    "-Dpolyglot.engine.WarnInterpreterOnly=false",
    "-XX:+UseCompactObjectHeaders",
)


#: servers started by this process, so they are waited for (not just dropped) when stopped
_CHILDREN: dict[int, subprocess.Popen[bytes]] = {}


class ServerError(Exception):
    """The server could not be installed, started or stopped; the message says why."""


@dataclass
class ServerState:
    """What ``start`` recorded about a server in its state directory."""

    dir: str
    pid: int
    bolt_port: int
    http_port: int
    password: str
    database: str
    user: str = USER

    @property
    def uri(self) -> str:
        """The Bolt URL of the server."""
        return f"bolt://{HOST}:{self.bolt_port}"

    def env(self) -> dict[str, str]:
        """The environment variables chaingraph reads (see ``chaingraph --help``)."""
        return {
            "CHAINGRAPH_STORE": self.uri,
            "NEO4J_USERNAME": self.user,
            "NEO4J_PASSWORD": self.password,
            "NEO4J_DATABASE": self.database,
        }

    def exports(self) -> str:
        """``export NAME=value`` lines for a POSIX shell."""
        return "\n".join(f"export {k}={shlex.quote(v)}" for k, v in self.env().items())


# --- install ------------------------------------------------------------------------------


def package_dir() -> Path | None:
    """The installed arcadedb_embedded package directory (without importing it), or None."""
    spec = importlib.util.find_spec("arcadedb_embedded")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


VENV = REPO / ".venv"
SETUP_COMMANDS = 'python3 -m venv .venv && .venv/bin/pip install -e ".[test]"'


def in_project_venv() -> bool:
    """True when this Python is the project's ``.venv`` (the only place to install into)."""
    return Path(sys.prefix).resolve() == VENV.resolve()


def use_project_venv(argv: list[str]) -> None:
    """Re-run this script with ``.venv/bin/python`` unless already there; refuse without one."""
    if in_project_venv():
        return
    python = VENV / "bin" / "python"
    if python.is_file():
        print(f"(running with {python.relative_to(REPO)})", file=sys.stderr)
        sys.stderr.flush()
        os.execv(python, [str(python), str(Path(__file__).resolve()), *argv])
    raise ServerError(
        f"This script runs in the project's environment {VENV}, which does not exist. "
        f"In {REPO} run: {SETUP_COMMANDS} ; then: .venv/bin/python scripts/bolt_server.py start"
    )


def install() -> Path:
    """The directory of the pinned wheel, installed into the project's ``.venv`` if missing.

    Never installs into any other Python: outside ``.venv`` a missing wheel is an error that
    names the command to run.
    """
    pkg = package_dir()
    if pkg is None:
        if not in_project_venv():
            raise ServerError(
                f"{ARCADEDB_PACKAGE} is not installed for {sys.executable}, and this script "
                f"installs only into {VENV}. In {REPO} run: {SETUP_COMMANDS}"
            )
        print(f"Installing {ARCADEDB_PACKAGE}=={ARCADEDB_VERSION} into .venv …", file=sys.stderr)
        cmd = [sys.executable, "-m", "pip", "install", f"{ARCADEDB_PACKAGE}=={ARCADEDB_VERSION}"]
        done = subprocess.run(cmd, stdout=sys.stderr, check=False)
        if done.returncode != 0:
            raise ServerError(f"pip install {ARCADEDB_PACKAGE}=={ARCADEDB_VERSION} failed")
        importlib.invalidate_caches()
        pkg = package_dir()
    if pkg is None:
        raise ServerError(f"{ARCADEDB_PACKAGE} is not importable after installing it")
    java = pkg / "jre" / "bin" / "java"
    if not java.is_file() or not (pkg / "jars").is_dir():
        raise ServerError(
            f"{pkg} has no bundled jre/bin/java or jars/: reinstall "
            f"{ARCADEDB_PACKAGE}=={ARCADEDB_VERSION} (a platform wheel, not the sdist)"
        )
    return pkg


# --- a foreign server for tests and benchmarks ---------------------------------------------

#: the prefix of the variables naming a server for tests and benchmarks; never chaingraph's
#: own NEO4J_* (an Aura credentials file sets NEO4J_URI: that database is a user's)
TEST_ENV = "CHAINGRAPH_TEST_NEO4J"
#: the label of the one node that marks a database as the tests' to empty
TEST_MARK = "ChaingraphTestDatabase"


def test_server_from_env() -> tuple[str, str, str, str] | None:
    """(uri, user, password, database) from CHAINGRAPH_TEST_NEO4J_URI / _USERNAME /
    _PASSWORD / _DATABASE, or None when the URI is not set."""
    uri = os.environ.get(f"{TEST_ENV}_URI")
    if not uri:
        return None
    return (
        uri,
        os.environ.get(f"{TEST_ENV}_USERNAME", "neo4j"),
        os.environ.get(f"{TEST_ENV}_PASSWORD", ""),
        os.environ.get(f"{TEST_ENV}_DATABASE", "neo4j"),
    )


def claim_database(uri: str, user: str, password: str, database: str) -> None:
    """Make sure tests may empty ``database``: mark it if empty, accept it if marked.

    A database that holds data and no mark raises ServerError before anything is deleted.
    """
    from neo4j import GraphDatabase

    with GraphDatabase.driver(uri, auth=(user, password)) as driver:
        records, _, _ = driver.execute_query(
            f"OPTIONAL MATCH (m:{TEST_MARK}) WITH count(m) AS marks "
            "OPTIONAL MATCH (n) RETURN marks, count(n) AS nodes",
            database_=database,
        )
        marks, nodes = records[0]["marks"], records[0]["nodes"]
        if marks:
            return
        if nodes:
            raise ServerError(
                f"{TEST_ENV}_URI: database '{database}' on {uri} holds {nodes} nodes and is "
                "not marked as a chaingraph test database; tests and benchmarks would delete "
                f"them, so they refuse to run. Point {TEST_ENV}_URI (and _DATABASE) at an "
                "empty database made for them"
            )
        driver.execute_query(
            f"CREATE (:{TEST_MARK} {{note: $note}})",
            note="chaingraph tests and benchmarks may empty this database",
            database_=database,
        )


def empty_database(uri: str, user: str, password: str, database: str) -> None:
    """Delete everything but the mark in a database :func:`claim_database` accepted."""
    from neo4j import GraphDatabase

    with GraphDatabase.driver(uri, auth=(user, password)) as driver:
        claim_database(uri, user, password, database)  # never empty an unclaimed database
        with driver.session(database=database) as session:
            session.run(
                f"MATCH (n) WHERE NOT n:{TEST_MARK} "
                "CALL { WITH n DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS"
            ).consume()


# --- state --------------------------------------------------------------------------------


def read_state(state_dir: Path) -> ServerState | None:
    """The recorded state, or None when no server was started from this directory."""
    path = state_dir / STATE_FILE
    if not path.is_file():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    return ServerState(**data)


def write_state(state: ServerState) -> None:
    """Save the state (readable by the owner only: it holds the password)."""
    path = Path(state.dir) / STATE_FILE
    path.write_text(json.dumps(asdict(state), indent=2), encoding="utf-8")
    path.chmod(0o600)


def is_running(state: ServerState) -> bool:
    """True if the recorded PID is alive and is this directory's ArcadeDB server."""
    try:
        cmdline = Path(f"/proc/{state.pid}/cmdline").read_bytes().decode(errors="replace")
    except OSError:
        return False
    root = str(Path(state.dir) / "root")
    return MAIN_CLASS in cmdline and root in cmdline


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


# --- start / wait / stop --------------------------------------------------------------------


def start(
    state_dir: Path = DEFAULT_DIR,
    bolt_port: int | None = None,
    http_port: int | None = None,
    password: str | None = None,
    database: str = "neo4j",
    heap: str = "1g",
    timeout: float = 90.0,
    fresh: bool = False,
) -> ServerState:
    """Start a server in the background (or find the one already running) and wait for it.

    Returns the state once a driver query on ``database`` succeeds.
    """
    state_dir = state_dir.resolve()
    old = read_state(state_dir)
    if old is not None and is_running(old):
        if fresh:
            stop(state_dir)
        else:
            if password is not None and password != old.password:
                raise ServerError(
                    f"A server with another password runs from {state_dir}. Stop it first, "
                    "or pass --fresh"
                )
            wait_ready(old, timeout, None)
            return old
    root = state_dir / "root"
    if fresh and root.exists():
        shutil.rmtree(root)
    if password is not None and len(password) < 8:
        raise ServerError("The root password must have at least 8 characters")
    if root.exists() and old is not None:
        # ArcadeDB applies the root password only when the root path is new
        if password is not None and password != old.password:
            raise ServerError(
                f"{root} was created with another password. Pass the old one, or --fresh "
                "to wipe the test data and start over"
            )
        password = old.password
    elif root.exists():
        shutil.rmtree(root)  # data without a recorded password: unusable, start over
    if password is None:
        password = secrets.token_urlsafe(12)
    pkg = install()
    state_dir.mkdir(parents=True, exist_ok=True)
    root.mkdir(parents=True, exist_ok=True)
    bolt = bolt_port or free_port()
    http = http_port or free_port()
    while http == bolt:
        http = free_port()
    settings = {
        "arcadedb.server.rootPath": str(root),
        "arcadedb.server.rootPassword": password,
        "arcadedb.server.defaultDatabases": f"{database}[{USER}]",
        "arcadedb.server.plugins": BOLT_PLUGIN,
        "arcadedb.bolt.host": HOST,
        "arcadedb.bolt.port": str(bolt),
        "arcadedb.server.httpIncomingHost": HOST,
        "arcadedb.server.httpIncomingPort": str(http),
    }
    cmd = [
        str(pkg / "jre" / "bin" / "java"),
        f"-Xmx{heap}",
        *JVM_OPTIONS,
        "-cp",
        f"{pkg / 'jars'}/*",
        *(f"-D{k}={v}" for k, v in settings.items()),
        MAIN_CLASS,
    ]
    log = (state_dir / LOG_FILE).open("ab")
    proc = subprocess.Popen(
        cmd,
        cwd=root,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # keeps running after this script exits
    )
    log.close()
    _CHILDREN[proc.pid] = proc
    state = ServerState(str(state_dir), proc.pid, bolt, http, password, database)
    write_state(state)
    (state_dir / "server.pid").write_text(f"{proc.pid}\n", encoding="utf-8")
    try:
        wait_ready(state, timeout, proc)
    except BaseException:
        stop(state_dir)
        raise
    return state


def _log_tail(state: ServerState, lines: int = 15) -> str:
    path = Path(state.dir) / LOG_FILE
    if not path.is_file():
        return ""
    return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])


def wait_ready(state: ServerState, timeout: float, proc: subprocess.Popen[bytes] | None) -> None:
    """Return once ``RETURN 1`` runs on the state's database; raise ServerError on timeout.

    The Bolt port opens a few seconds before the database answers, so a port check is not
    enough: this runs a real query with the Neo4j driver.
    """
    from neo4j import GraphDatabase
    from neo4j.exceptions import AuthError, Neo4jError, ServiceUnavailable

    deadline = time.monotonic() + timeout
    last = ""
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise ServerError(f"The server exited with code {proc.returncode}:\n{_log_tail(state)}")
        try:
            with (
                GraphDatabase.driver(
                    state.uri, auth=(state.user, state.password), connection_timeout=2.0
                ) as driver,
                driver.session(database=state.database) as session,
            ):
                session.run("RETURN 1 AS ok").consume()
            return
        except AuthError as exc:
            raise ServerError(f"The server rejects the recorded password: {exc}") from exc
        except (ServiceUnavailable, Neo4jError, OSError) as exc:
            last = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        time.sleep(0.25)
    raise ServerError(
        f"No answer on {state.uri} within {timeout:.0f} s (last error: {last}). "
        f"Log tail:\n{_log_tail(state)}"
    )


def stop(state_dir: Path = DEFAULT_DIR, timeout: float = 30.0) -> bool:
    """Stop the server recorded in ``state_dir`` by its PID; False if none was running."""
    state = read_state(state_dir.resolve())
    if state is None or not is_running(state):
        return False
    os.kill(state.pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not is_running(state):
            break
        _reap(state.pid)
        time.sleep(0.1)
    else:
        os.kill(state.pid, signal.SIGKILL)
        while is_running(state):
            _reap(state.pid)
            time.sleep(0.1)
    _reap(state.pid)
    (Path(state.dir) / "server.pid").unlink(missing_ok=True)
    return True


def _reap(pid: int) -> None:
    """Collect the exit status if the server is our child (it is when start() ran here)."""
    proc = _CHILDREN.get(pid)
    if proc is not None:
        if proc.poll() is not None:
            del _CHILDREN[pid]
        return
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


# --- databases over the HTTP API ------------------------------------------------------------


def server_command(state: ServerState, command: str) -> None:
    """Run an ArcadeDB server command such as ``create database t1`` over its HTTP API."""
    token = base64.b64encode(f"{state.user}:{state.password}".encode()).decode()
    request = urllib.request.Request(
        f"http://{HOST}:{state.http_port}/api/v1/server",
        data=json.dumps({"command": command}).encode(),
        headers={"Authorization": f"Basic {token}", "Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            response.read()
    except urllib.error.HTTPError as exc:
        detail = exc.read().decode(errors="replace")[:300]
        raise ServerError(f"'{command}' failed: HTTP {exc.code} {detail}") from exc


def create_database(state: ServerState, name: str) -> None:
    """Create an empty database (milliseconds; much faster than deleting a graph)."""
    server_command(state, f"create database {name}")


def drop_database(state: ServerState, name: str) -> None:
    """Drop a database and its files."""
    server_command(state, f"drop database {name}")


# --- command line -------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR, help="state directory")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("install", help=f"pip install {ARCADEDB_PACKAGE}=={ARCADEDB_VERSION}")
    p_start = sub.add_parser("start", help="start in the background and wait until ready")
    p_start.add_argument("--bolt-port", type=int, help="default: a free port")
    p_start.add_argument("--http-port", type=int, help="default: a free port")
    p_start.add_argument(
        "--password",
        default=os.environ.get("BOLT_SERVER_PASSWORD"),
        help="root password, >= 8 characters (default: $BOLT_SERVER_PASSWORD, else random)",
    )
    p_start.add_argument("--database", default="neo4j")
    p_start.add_argument("--heap", default="1g", help="JVM heap (-Xmx)")
    p_start.add_argument("--timeout", type=float, default=90.0, help="seconds to wait")
    p_start.add_argument("--fresh", action="store_true", help="wipe the data first")
    p_stop = sub.add_parser("stop", help="stop the server by its PID and wait for it to exit")
    p_stop.add_argument("--timeout", type=float, default=30.0)
    sub.add_parser("status", help="is it running? (exit 0 yes, 3 no)")
    sub.add_parser("env", help="print the export lines of the running server")
    args = parser.parse_args(argv)
    state_dir: Path = args.dir
    try:
        if args.command in ("install", "start"):
            use_project_venv(sys.argv[1:] if argv is None else argv)
        if args.command == "install":
            print(install())
            return 0
        if args.command == "start":
            began = time.monotonic()
            state = start(
                state_dir,
                bolt_port=args.bolt_port,
                http_port=args.http_port,
                password=args.password,
                database=args.database,
                heap=args.heap,
                timeout=args.timeout,
                fresh=args.fresh,
            )
            print(state.exports())
            print(
                f"Bolt server ready on {state.uri} (pid {state.pid}, database "
                f"{state.database}) after {time.monotonic() - began:.1f} s. chaingraph reads "
                "the CHAINGRAPH_STORE and NEO4J_* lines above (eval them). The tests start "
                f"their own server; they use another only through {TEST_ENV}_URI, and only "
                "an empty or marked database",
                file=sys.stderr,
            )
            return 0
        if args.command == "stop":
            stopped = stop(state_dir, args.timeout)
            print("stopped" if stopped else "not running", file=sys.stderr)
            return 0
        found = read_state(state_dir.resolve())
        running = found is not None and is_running(found)
        if args.command == "env":
            if found is None or not running:
                print(f"No server running from {state_dir}. Run 'start' first", file=sys.stderr)
                return 3
            print(found.exports())
            return 0
        # status
        if found is None or not running:
            print(f"not running ({state_dir})")
            return 3
        print(f"running pid {found.pid} on {found.uri} database {found.database}")
        return 0
    except ServerError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
