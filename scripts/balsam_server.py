#!/usr/bin/env python3
"""A throw-away, real Balsam API server (PostgreSQL + Balsam's FastAPI app) on 127.0.0.1.

    python3 scripts/balsam_server.py install        # PostgreSQL (Debian) + the pinned venv
    python3 scripts/balsam_server.py start DIR      # prints DIR/server.json
    python3 scripts/balsam_server.py stop DIR       # stops only the processes start recorded

`start` installs what is missing, creates a PostgreSQL cluster in DIR/pg (as the `postgres`
user when run as root), creates Balsam's schema, starts gunicorn with Balsam's app in its own
process group, registers a test user and logs in. DIR/server.json (mode 600) holds the API
root, the user's token and its expiry, and the PIDs. Standard library only: it runs before
any of reportgen's dependencies exist. Balsam lives in its own virtualenv (VENV below), so its
old pins never touch reportgen's environment.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REQUIREMENTS = HERE / "balsam-server-requirements.txt"
VENV = Path(os.environ.get("REPORTGEN_BALSAM_VENV", "/tmp/reportgen-balsam-venv"))
TEST_USER = "reportgen-test"
START_TIMEOUT_S = 90

SCHEMA_SCRIPT = """
import sqlalchemy as sa
from balsam.server.models import Base, get_engine

engine = get_engine()
if not sa.inspect(engine).has_table("users"):
    jobs = Base.metadata.tables["jobs"]
    # The ORM declares two indexes named ix_jobs_tags (one with invalid GIN DDL) and one
    # redundant with the primary key; the wheel ships no alembic revisions to fix that.
    for index in list(jobs.indexes):
        if index.name in ("ix_jobs_tags", "ix_jobs_id"):
            jobs.indexes.discard(index)
    with engine.begin() as conn:
        Base.metadata.create_all(conn)
        conn.execute(sa.text("CREATE INDEX ix_jobs_tags ON jobs USING gin (tags jsonb_path_ops)"))
        conn.execute(sa.text("CREATE INDEX ix_log_events_job_id ON log_events (job_id)"))
"""


class ServerError(Exception):
    pass


def log(message: str) -> None:
    print(f"balsam_server: {message}", file=sys.stderr, flush=True)


def run(command: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(command, capture_output=True, text=True, **kwargs)
    if result.returncode != 0:
        tail = (result.stdout + result.stderr)[-2000:]
        raise ServerError(f"{' '.join(command[:3])} ... failed ({result.returncode}):\n{tail}")
    return result


# ------------------------------------------------------------------------------- installs
def postgres_bin() -> Path | None:
    """The newest Debian PostgreSQL server bin folder."""
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    return found[-1].parent if found else None


def install_postgres() -> Path:
    existing = postgres_bin()
    if existing:
        return existing
    if os.geteuid() != 0:
        raise ServerError(
            "PostgreSQL is not installed and this is not root: apt-get install postgresql first"
        )
    log("installing Debian's postgresql")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    run(["apt-get", "update", "-q"], env=env)
    run(["apt-get", "install", "-y", "-q", "--no-install-recommends", "postgresql"], env=env)
    installed = postgres_bin()
    if installed is None:
        raise ServerError("postgresql installed but no initdb found under /usr/lib/postgresql")
    return installed


def install_venv() -> Path:
    """The pinned Balsam virtualenv; rebuilt only when the pins change."""
    python = VENV / "bin" / "python"
    want = hashlib.sha256(REQUIREMENTS.read_bytes()).hexdigest()
    marker = VENV / ".pins-sha256"
    if python.exists() and marker.exists() and marker.read_text() == want:
        return python
    base = shutil.which("python3.11") or sys.executable
    log(f"creating {VENV} with {base} and installing balsam (pinned)")
    shutil.rmtree(VENV, ignore_errors=True)
    run([base, "-m", "venv", str(VENV)])
    run(
        [
            str(python),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--prefer-binary",
            "-r",
            str(REQUIREMENTS),
        ]
    )
    run([str(python), "-c", "import balsam.server.main, gunicorn, uvicorn, psycopg2"])
    marker.write_text(want)
    return python


# ------------------------------------------------------------------------------- start
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def as_postgres(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def start_postgres(folder: Path, bin_dir: Path) -> tuple[int, int, str]:
    data = folder / "pg" / "data"
    password_file = folder / "pg-password"
    if not (data / "PG_VERSION").exists():
        shutil.rmtree(folder / "pg", ignore_errors=True)
        data.mkdir(parents=True)
        password_file.write_text(secrets.token_hex(16))
        password_file.chmod(0o600)
        (folder / "pg" / "pwfile").write_text(password_file.read_text())
        if os.geteuid() == 0:
            shutil.chown(folder / "pg", "postgres")
            for path in (folder / "pg").rglob("*"):
                shutil.chown(path, "postgres")
        data.chmod(0o700)
        run(
            as_postgres(
                [
                    str(bin_dir / "initdb"),
                    "-D",
                    str(data),
                    "-U",
                    "postgres",
                    "--auth=scram-sha-256",
                    f"--pwfile={folder / 'pg' / 'pwfile'}",
                    "-E",
                    "UTF8",
                    "--no-locale",
                ]
            )
        )
        (folder / "pg" / "pwfile").unlink()
        with (data / "postgresql.conf").open("a") as conf:
            conf.write(
                f"\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{data}'\n"
                "timezone = 'UTC'\nfsync = off\nsynchronous_commit = off\n"
                "full_page_writes = off\n"
            )
    port = free_port()
    run(
        as_postgres(
            [
                str(bin_dir / "pg_ctl"),
                "-D",
                str(data),
                "-l",
                str(folder / "pg" / "postgres.log"),
                "-o",
                f"-p {port}",
                "-w",
                "-t",
                "60",
                "start",
            ]
        )
    )
    pid = int((data / "postmaster.pid").read_text().split()[0])
    password = password_file.read_text().strip()
    url = f"postgresql://postgres:{password}@127.0.0.1:{port}/balsam"
    return pid, port, url


def create_database(python: Path, url: str) -> None:
    admin = url.rsplit("/", 1)[0] + "/postgres"
    check = (
        "import psycopg2, sys\n"
        "c = psycopg2.connect(sys.argv[1]); c.autocommit = True; k = c.cursor()\n"
        "k.execute(\"SELECT 1 FROM pg_database WHERE datname = 'balsam'\")\n"
        "k.fetchone() or k.execute('CREATE DATABASE balsam')\n"
    )
    run([str(python), "-c", check, admin])
    run([str(python), "-c", SCHEMA_SCRIPT], env=_clean_env({"BALSAM_DATABASE_URL": url}))


def _clean_env(extra: dict[str, str]) -> dict[str, str]:
    keep = {k: os.environ[k] for k in ("PATH", "HOME", "LANG") if k in os.environ}
    return {**keep, "LANG": "C.UTF-8", **extra}


def start_api(folder: Path, python: Path, url: str) -> tuple[int, int]:
    port = free_port()
    secret = folder / "secret-key"
    if not secret.exists():
        secret.write_text(secrets.token_hex(32))
        secret.chmod(0o600)
    env = _clean_env(
        {
            "BALSAM_DATABASE_URL": url,
            "BALSAM_AUTH_SECRET_KEY": secret.read_text(),
            "BALSAM_AUTH_LOGIN_METHODS": '["password"]',
            "BALSAM_REDIS_PARAMS": json.dumps({"unix_socket_path": str(folder / "no-redis.sock")}),
            "BALSAM_LOG_DIR": str(folder / "logs"),
            "BALSAM_LOG_LEVEL": "WARNING",
            "PATH": f"{python.parent}:{os.environ.get('PATH', '/usr/bin:/bin')}",
        }
    )
    (folder / "logs").mkdir(exist_ok=True)
    with (folder / "logs" / "gunicorn.out").open("ab") as output:
        process = subprocess.Popen(
            [
                str(python.parent / "gunicorn"),
                "balsam.server.main:app",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "1",
                "--worker-class",
                "uvicorn.workers.UvicornWorker",
                "--timeout",
                "120",
                "--graceful-timeout",
                "10",
            ],
            cwd=folder,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = (folder / "logs" / "gunicorn.out").read_text()[-2000:]
            raise ServerError(f"gunicorn exited ({process.returncode}):\n{tail}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/auth/how", timeout=5):
                return process.pid, port
        except OSError:
            time.sleep(0.2)  # polling a server that is starting; not a test timing
    os.killpg(process.pid, signal.SIGTERM)
    raise ServerError(f"Balsam did not answer on port {port} within {START_TIMEOUT_S}s")


def login(api_root: str, folder: Path) -> dict[str, Any]:
    password_file = folder / "user-password"
    if not password_file.exists():
        password_file.write_text(secrets.token_hex(12))
        password_file.chmod(0o600)
    password = password_file.read_text()
    body = json.dumps({"username": TEST_USER, "password": password}).encode()
    request = urllib.request.Request(
        f"{api_root}/auth/password/register", body, {"Content-Type": "application/json"}
    )
    try:
        urllib.request.urlopen(request, timeout=30).close()
    except urllib.error.HTTPError as exc:
        if exc.code != 400:  # 400: "Username already taken" on a restart
            raise
    form = urllib.parse.urlencode({"username": TEST_USER, "password": password}).encode()
    with urllib.request.urlopen(f"{api_root}/auth/password/login", form, timeout=30) as answer:
        token: dict[str, Any] = json.load(answer)
    return {
        "token": token["access_token"],
        "token_expiry": token["expiration"],
        "username": TEST_USER,
        "password": password,
    }


def start(folder: Path) -> dict[str, Any]:
    folder = folder.absolute()
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o755)  # the postgres user must reach DIR/pg
    info_path = folder / "server.json"
    if info_path.exists():
        stop(folder)
    bin_dir = install_postgres()
    python = install_venv()
    started = time.monotonic()
    pg_pid, pg_port, url = start_postgres(folder, bin_dir)
    try:
        create_database(python, url)
        api_pid, api_port = start_api(folder, python, url)
    except Exception:
        run(
            as_postgres(
                [str(bin_dir / "pg_ctl"), "-D", str(folder / "pg" / "data"), "-m", "fast", "stop"]
            )
        )
        raise
    api_root = f"http://127.0.0.1:{api_port}"
    info = {
        "api_root": api_root,
        "api_pid": api_pid,
        "postgres_pid": pg_pid,
        "postgres_port": pg_port,
        "database_url": url,
        "pg_bin": str(bin_dir),
        "folder": str(folder),
        "started_in_s": round(time.monotonic() - started, 1),
        **login(api_root, folder),
    }
    info_path.write_text(json.dumps(info, indent=2))
    info_path.chmod(0o600)
    return info


def stop(folder: Path) -> None:
    info_path = folder.absolute() / "server.json"
    if not info_path.exists():
        return
    info = json.loads(info_path.read_text())
    api_pid = int(info["api_pid"])
    if _is_ours(api_pid, "gunicorn"):
        os.killpg(api_pid, signal.SIGTERM)  # gunicorn leads its own group: master + worker
        _wait_gone(api_pid, 30)
    data = Path(info["folder"]) / "pg" / "data"
    if _is_ours(int(info["postgres_pid"]), str(data)):
        subprocess.run(
            as_postgres(
                [str(Path(info["pg_bin"]) / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"]
            ),
            capture_output=True,
        )
    info_path.unlink()


def _is_ours(pid: int, marker: str) -> bool:
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return False
    return marker in command


def _wait_gone(pid: int, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and Path(f"/proc/{pid}").exists():
        time.sleep(0.1)  # waiting for a process to exit after SIGTERM
    if Path(f"/proc/{pid}").exists():
        os.killpg(pid, signal.SIGKILL)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("command", choices=["install", "start", "stop"])
    parser.add_argument("folder", type=Path, nargs="?", default=Path("/tmp/reportgen-balsam"))
    args = parser.parse_args()
    try:
        if args.command == "install":
            install_postgres()
            install_venv()
        elif args.command == "start":
            start(args.folder)
            print(args.folder.absolute() / "server.json")
        else:
            stop(args.folder)
    except ServerError as exc:
        log(f"error: {exc}")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
