"""The local Airflow stack: PostgreSQL (Debian packages) + api-server, scheduler, dag-processor, triggerer.

    python infra/stack/stack.py up | down | status | restart <component> | env | airflow <args…>
    python infra/stack/stack.py rerun-late [--lake DIR] [--dates D1,D2] [--dry-run]

Everything lives under the stack directory (``MIRYOKU_STACK_DIR``, default ``<project>/.stack``):
``postgres/`` (the cluster), ``airflow/`` (AIRFLOW_HOME: config-free, logs), ``run/<component>.pid|.log``,
``secrets.json`` (database password, JWT secret, Fernet key; mode 0600) and ``credentials.json``
(``{"api_url", "username", "password"}`` for the API and UI; mode 0600). The password is generated on
the first ``up`` and kept; none ships with the repository. Every process listens on 127.0.0.1 only and is
stopped by the PID recorded when it was started; ``down`` then checks that no port is still open.

Ports: ``MIRYOKU_STACK_API_PORT`` (8080), ``MIRYOKU_STACK_PG_PORT`` (5432). Every other variable of the
caller's environment (``MIRYOKU_*``, ``AIRFLOW__*``, ``AIRFLOW_CONN_*``) is passed on to the Airflow
processes, so the tasks see the same lake, sources and alert connection as the shell that started them.
The names are the ones ``infra/docker-compose.yaml`` uses.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]
STACK = Path(os.environ.get("MIRYOKU_STACK_DIR", PROJECT / ".stack")).resolve()
API_PORT = int(os.environ.get("MIRYOKU_STACK_API_PORT", "8080"))
PG_PORT = int(os.environ.get("MIRYOKU_STACK_PG_PORT", "5432"))
HOST = "127.0.0.1"
USERNAME = "admin"
COMPONENTS = ("api-server", "scheduler", "dag-processor", "triggerer")
BIN = Path(sys.executable).parent
START_TIMEOUT = int(os.environ.get("MIRYOKU_STACK_START_TIMEOUT", "180"))


def say(message: str) -> None:
    print(f"stack: {message}", flush=True)


# --- PostgreSQL ---------------------------------------------------------------------------------------

def pg_bin() -> Path:
    """Debian's server binaries; installs the ``postgresql`` package when they are missing."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if not found:
        if os.geteuid() != 0 or not shutil.which("apt-get"):
            sys.exit("stack: PostgreSQL server not found: install it (Debian: apt-get install postgresql)")
        say("installing PostgreSQL from Debian packages (apt-get install postgresql)")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        conf = Path("/etc/postgresql-common/createcluster.conf")  # no default cluster listening on 5432
        if not conf.exists():
            conf.parent.mkdir(parents=True, exist_ok=True)
            conf.write_text("create_main_cluster = false\n")
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
        subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", "postgresql"],
                       check=True, env=env, stdout=subprocess.DEVNULL)
        found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    return found[-1].parent


def as_pg_user(cmd: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: run its binaries as the ``postgres`` account then."""
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


def pg_start(secret: dict) -> None:
    bindir, data = pg_bin(), STACK / "postgres"
    if not (data / "PG_VERSION").exists():
        data.mkdir(parents=True, exist_ok=True)
        pwfile = STACK / "run" / "pg-superuser"
        pwfile.write_text(secret["pg_superuser"])
        if os.geteuid() == 0:
            shutil.chown(data, "postgres", "postgres")
            shutil.chown(pwfile, "postgres", "postgres")
        data.chmod(0o700)
        subprocess.run(as_pg_user([str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "-E", "UTF8",
                                   "--auth=scram-sha-256", f"--pwfile={pwfile}"]),
                       check=True, stdout=subprocess.DEVNULL)
        pwfile.unlink()
    if pg_running():
        say(f"postgres already running (pid {pg_pid()})")
        return
    log = STACK / "run" / "postgres.log"
    log.touch()
    if os.geteuid() == 0:
        shutil.chown(log, "postgres", "postgres")
    opts = f"-c listen_addresses={HOST} -p {PG_PORT} -c unix_socket_directories={data}"
    subprocess.run(as_pg_user([str(bindir / "pg_ctl"), "-D", str(data), "-o", opts, "-l", str(log), "-w", "start"]),
                   check=True, stdout=subprocess.DEVNULL)
    ensure_airflow_db(secret)
    say(f"postgres {HOST}:{PG_PORT} pid {pg_pid()} data {data}")


def pg_pid() -> int | None:
    pidfile = STACK / "postgres" / "postmaster.pid"
    return int(pidfile.read_text().split()[0]) if pidfile.exists() else None


def pg_running() -> bool:
    pid = pg_pid()
    return pid is not None and alive(pid)


def ensure_airflow_db(secret: dict) -> None:
    import psycopg2

    conn = psycopg2.connect(host=HOST, port=PG_PORT, user="postgres", password=secret["pg_superuser"],
                            dbname="postgres")
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("select 1 from pg_roles where rolname = 'airflow'")
        if not cur.fetchone():
            cur.execute("create role airflow login password %s", (secret["pg_airflow"],))
        cur.execute("select 1 from pg_database where datname = 'airflow'")
        if not cur.fetchone():
            cur.execute("create database airflow owner airflow encoding 'UTF8'")
    conn.close()


def pg_stop() -> None:
    if not pg_running():
        return
    pid = pg_pid()
    subprocess.run(as_pg_user([str(pg_bin() / "pg_ctl"), "-D", str(STACK / "postgres"), "-m", "fast", "-w",
                               "stop"]), check=True, stdout=subprocess.DEVNULL)
    say(f"postgres stopped (pid {pid})")


# --- Airflow ------------------------------------------------------------------------------------------

def load_secrets() -> dict:
    """The stack's generated secrets, created once (0600) and reused on every later start."""
    path = STACK / "secrets.json"
    if path.exists():
        return json.loads(path.read_text())
    from cryptography.fernet import Fernet

    secret = {"pg_superuser": secrets.token_urlsafe(24), "pg_airflow": secrets.token_urlsafe(24),
              "jwt_secret": secrets.token_urlsafe(32), "fernet_key": Fernet.generate_key().decode(),
              "admin_password": secrets.token_urlsafe(18)}
    write_private(path, secret)
    return secret


def write_private(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump(data, fh, indent=2)


def airflow_env(secret: dict) -> dict:
    """The configuration every Airflow process of the stack shares (same names as docker-compose.yaml)."""
    home = STACK / "airflow"
    api = f"http://{HOST}:{API_PORT}"
    env = {
        **os.environ,
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN":
            f"postgresql+psycopg2://airflow:{secret['pg_airflow']}@{HOST}:{PG_PORT}/airflow",
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        "AIRFLOW__CORE__DAGS_FOLDER": str(PROJECT / "dags"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__PARALLELISM": os.environ.get("AIRFLOW__CORE__PARALLELISM", "4"),
        "AIRFLOW__CORE__FERNET_KEY": secret["fernet_key"],
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{api}/execution/",
        "AIRFLOW__CORE__AUTH_MANAGER":
            "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": f"{USERNAME}:admin",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "False",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(STACK / "run" / "passwords.json"),
        "AIRFLOW__API__HOST": HOST,
        "AIRFLOW__API__PORT": str(API_PORT),
        "AIRFLOW__API__BASE_URL": api,
        "AIRFLOW__API__WORKERS": "1",
        "AIRFLOW__API_AUTH__JWT_SECRET": secret["jwt_secret"],
        "AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK": "False",
        "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(home / "logs"),
        "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": os.environ.get("AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL", "30"),
        "GX_ANALYTICS_ENABLED": "False",
        "SPARK_LOCAL_IP": HOST,
        "PYSPARK_PYTHON": sys.executable,
        "PATH": f"{BIN}:{os.environ.get('PATH', '')}",
    }
    env.setdefault("MIRYOKU_LAKE", str(PROJECT / "lake"))
    return env


def pidfile(name: str) -> Path:
    return STACK / "run" / f"{name}.pid"


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie child of ours is not alive
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False


def component_pid(name: str) -> int | None:
    path = pidfile(name)
    if not path.exists():
        return None
    pid = int(path.read_text())
    return pid if alive(pid) else None


def start_component(name: str, env: dict) -> int:
    if pid := component_pid(name):
        say(f"{name} already running (pid {pid})")
        return pid
    log = open(STACK / "run" / f"{name}.log", "ab")  # noqa: SIM115 - handed to the child process
    # The log servers would bind every interface: the api-server reads the task logs from the shared
    # local log folder instead, so scheduler and triggerer run without them.
    extra = {"api-server": ["--port", str(API_PORT), "--host", HOST], "scheduler": ["--skip-serve-logs"],
             "triggerer": ["--skip-serve-logs"]}
    args = [str(BIN / "airflow"), name, *extra.get(name, [])]
    proc = subprocess.Popen(args, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                            start_new_session=True, cwd=PROJECT)
    pidfile(name).write_text(str(proc.pid))
    return proc.pid


STOP_TIMEOUT = float(os.environ.get("MIRYOKU_STACK_STOP_TIMEOUT", "120"))


def stop_component(name: str, timeout: float = STOP_TIMEOUT) -> None:
    """SIGTERM the component's main process; once it has exited (or after ``timeout``), end what is left
    of its process group (it was started as its own session): SIGTERM, then SIGKILL after 10 s.

    Only the main process gets the first SIGTERM: a scheduler stopping that way lets the LocalExecutor's
    running tasks finish (hence the generous default); a SIGTERM to the whole group would kill them.
    """
    pid = component_pid(name)
    if pid is None:
        pidfile(name).unlink(missing_ok=True)
        return
    os.kill(pid, signal.SIGTERM)
    deadline = time.time() + timeout
    while time.time() < deadline and alive(pid):
        time.sleep(0.2)
    for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 10)):
        if not group_alive(pid):
            break
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, sig)
        deadline = time.time() + wait
        while time.time() < deadline and group_alive(pid):
            time.sleep(0.2)
    pidfile(name).unlink(missing_ok=True)
    say(f"{name} stopped (pid {pid})")


def group_alive(pgid: int) -> bool:
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            return True
    return False


def listening(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex((HOST, port)) == 0


def wait_healthy(timeout: float = START_TIMEOUT) -> dict:
    """Until /api/v2/monitor/health reports the scheduler, dag-processor and triggerer healthy."""
    import httpx

    deadline, last = time.time() + timeout, None
    while time.time() < deadline:
        for name in COMPONENTS:
            if component_pid(name) is None:
                tail = (STACK / "run" / f"{name}.log").read_text(errors="replace").splitlines()[-15:]
                sys.exit(f"stack: {name} exited during start-up; last log lines:\n" + "\n".join(tail))
        try:
            last = httpx.get(f"http://{HOST}:{API_PORT}/api/v2/monitor/health", timeout=5).json()
            parts = [last.get(k, {}).get("status") for k in ("metadatabase", "scheduler", "triggerer", "dag_processor")]
            if all(p == "healthy" for p in parts):
                return last
        except (httpx.HTTPError, ValueError):
            pass
        time.sleep(1)
    sys.exit(f"stack: not healthy after {timeout:.0f}s: {last}")


def ensure_spark_connection(api_url: str, password: str) -> str:
    """The Spark connection the DAGs submit to (``MIRYOKU_SPARK_CONN_ID``, default ``spark_default``), in
    the metadata database: created with this machine's cores (``local[*]``) on the first ``up``, kept as
    it is afterwards, so an operator's edit (UI or REST) to point it at a cluster survives restarts.
    An ``AIRFLOW_CONN_<ID>`` variable given to ``up`` wins over it."""
    import httpx

    conn_id = os.environ.get("MIRYOKU_SPARK_CONN_ID") or "spark_default"
    token = httpx.post(f"{api_url}/auth/token", json={"username": USERNAME, "password": password}, timeout=30)
    token.raise_for_status()
    created = httpx.post(f"{api_url}/api/v2/connections", timeout=30,
                         headers={"Authorization": f"Bearer {token.json()['access_token']}"},
                         json={"connection_id": conn_id, "conn_type": "spark", "host": "local[*]",
                               "description": "where the DAGs' Spark steps run (docs/cluster.md)"})
    if created.status_code == 409:
        return f"Spark connection {conn_id} kept"
    created.raise_for_status()
    return f"Spark connection {conn_id} created: local[*]"


def up() -> None:
    if not shutil.which("runuser") and os.geteuid() == 0:
        sys.exit("stack: 'runuser' not found (Debian: apt-get install util-linux)")
    (STACK / "run").mkdir(parents=True, exist_ok=True)
    STACK.chmod(0o755)  # the postgres account must reach its data directory
    secret = load_secrets()
    if component_pid("api-server") is None and listening(API_PORT):
        sys.exit(f"stack: something else listens on {HOST}:{API_PORT}; set MIRYOKU_STACK_API_PORT")
    if not pg_running() and listening(PG_PORT):
        sys.exit(f"stack: something else listens on {HOST}:{PG_PORT}; set MIRYOKU_STACK_PG_PORT")
    write_private(STACK / "run" / "passwords.json", {USERNAME: secret["admin_password"]})
    pg_start(secret)
    env = airflow_env(secret)
    t0 = time.time()
    subprocess.run([str(BIN / "airflow"), "db", "migrate"], env=env, check=True, cwd=PROJECT,
                   stdout=open(STACK / "run" / "db-migrate.log", "ab"), stderr=subprocess.STDOUT)  # noqa: SIM115
    say(f"metadata DB migrated in {time.time() - t0:.0f}s")
    for name in COMPONENTS:
        start_component(name, env)
    wait_healthy()
    api_url = f"http://{HOST}:{API_PORT}"
    say(ensure_spark_connection(api_url, secret["admin_password"]))
    write_private(STACK / "credentials.json",
                  {"api_url": api_url, "username": USERNAME, "password": secret["admin_password"]})
    pids = ", ".join(f"{n} {component_pid(n)}" for n in COMPONENTS)
    say(f"Airflow {api_url} healthy ({pids}); credentials in {STACK / 'credentials.json'}; "
        f"logs in {STACK / 'run'} and {STACK / 'airflow' / 'logs'}")


def down() -> None:
    for name in reversed(COMPONENTS):
        stop_component(name)
    pg_stop()
    still = [p for p in (API_PORT, PG_PORT) if listening(p)]
    if still:
        sys.exit(f"stack: ports still answering after stop: {still}")
    say("stopped; nothing listening on " + ", ".join(f"{HOST}:{p}" for p in (API_PORT, PG_PORT)))


def status() -> int:
    rows = [("postgres", pg_pid() if pg_running() else None)] + [(n, component_pid(n)) for n in COMPONENTS]
    for name, pid in rows:
        print(f"{name:14} {'running pid ' + str(pid) if pid else 'stopped'}")
    return 0 if all(pid for _, pid in rows) else 1


def late_dates(lake: Path) -> list[str]:
    """Dates whose file-drop folder got a file after that date's last finished run (or was never run).

    Reads the local lake only: ``landing/sns/<source>/dt=D/*`` modification times against the newest
    ``_runs/dt=D/*/summary.json``.
    """
    newest_landing: dict[str, float] = {}
    for file in lake.glob("landing/sns/*/dt=*/*"):
        day = file.parent.name.removeprefix("dt=")
        newest_landing[day] = max(newest_landing.get(day, 0), file.stat().st_mtime)
    out = []
    for day, landed in sorted(newest_landing.items()):
        runs = [p.stat().st_mtime for p in lake.glob(f"_runs/dt={day}/*/summary.json")]
        if not runs or landed > max(runs):
            out.append(day)
    return out


def rerun_late(argv: list[str]) -> int:
    """Re-run only the dates with late files: their existing nightly runs are cleared, so the scheduler runs
    them again (same run ids, same params, one at a time under the DAG's ``max_active_runs``)."""
    import argparse

    parser = argparse.ArgumentParser(prog="stack.py rerun-late")
    parser.add_argument("--lake", default=os.environ.get("MIRYOKU_LAKE", str(PROJECT / "lake")))
    parser.add_argument("--dates", default="", help="comma-separated dates to re-run instead of detecting them")
    parser.add_argument("--dry-run", action="store_true")
    args = parser.parse_args(argv)
    days = [d for d in args.dates.split(",") if d] or late_dates(Path(args.lake))
    say(f"dates to re-run: {', '.join(days) or 'none'}")
    env = airflow_env(load_secrets())
    for day in [] if args.dry_run else days:
        jst = f"{day}T00:00:00+09:00"
        subprocess.run([str(BIN / "airflow"), "tasks", "clear", "miryoku_nightly", "-s", jst, "-e", jst, "-y"],
                       env=env, check=True, cwd=PROJECT, stdout=subprocess.DEVNULL)
    return 0


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "status"
    if command == "up":
        up()
    elif command == "down":
        down()
    elif command == "status":
        return status()
    elif command == "restart" and len(argv) == 2 and argv[1] in COMPONENTS:
        stop_component(argv[1])
        start_component(argv[1], airflow_env(load_secrets()))
        wait_healthy()
        say(f"{argv[1]} restarted (pid {component_pid(argv[1])})")
    elif command == "airflow":  # the Airflow CLI against the stack's DB, e.g. `airflow backfill create …`
        return subprocess.run([str(BIN / "airflow"), *argv[1:]], env=airflow_env(load_secrets()), cwd=PROJECT).returncode
    elif command == "rerun-late":
        return rerun_late(argv[1:])
    elif command == "env":  # for a shell: eval "$(python infra/stack/stack.py env)"
        env = airflow_env(load_secrets())
        for key in sorted(k for k in env if k.startswith("AIRFLOW")):
            print(f"export {key}={shlex_quote(env[key])}")
    else:
        print(__doc__)
        return 2
    return 0


def shlex_quote(value: str) -> str:
    import shlex

    return shlex.quote(value)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
