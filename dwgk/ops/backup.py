"""Backups: one archive holding the database and the uploads, and the way back from it.

What this module promises:

- `create_backup()` writes one `dwgk-backup-YYYYMMDD-HHMMSS.tar.gz` (local time, Asia/Shanghai)
  holding `database/…`, `uploads/…` and, last, `manifest.json`: the archive format, when it
  was made, the database kind, its Alembic revision and the code's, and the size and
  sha256 of every other file in the archive.
- The database copy is consistent. SQLite: the online backup API, in one step, so the copy
  is one snapshot that includes what is still in the WAL (a plain file copy misses it);
  the copy is then switched to a rollback journal, so it is one self-contained file.
  PostgreSQL: `pg_dump --format=custom` in a snapshot exported from our own transaction,
  in which the attachment rows are read too. The database is copied first and the uploads
  after it. Every attachment row of the copy has its file in the archive: files are
  written before their row is committed, and a file removed since the copy (its row
  deleted after it) is taken from the trash, where it waits a day (disclosures.attachments).
  A row whose file is in neither place, or differs (changed outside dwgk), is reported;
  for SQLite it is also taken out of the archive's copy, so no restore has a row without
  its file.
- An archive appears under its final name only when it is complete (written beside it
  under a temporary name, then renamed), with mode 600, in a folder created with mode 700.
- `restore_backup()` changes nothing until the whole archive has been checked: only
  regular files (and folders) under `database/` and `uploads/`, no name escaping its
  folder, exactly the files the manifest lists with their sizes and sha256, the same
  database kind as the one configured, and for SQLite `PRAGMA integrity_check` = ok.
  Everything is first written to temporary files beside its destination. Then: SQLite —
  any `-wal`, `-shm` or `-journal` beside the target is removed (a stale WAL would be
  replayed into the restored file) and the file is put in place with one os.replace();
  PostgreSQL — the dump goes through `pg_restore --clean --if-exists --no-owner` into
  `psql --single-transaction`, after dropping the tables it replaces, so a failed restore
  changes nothing; the uploads folder's contents are swapped with the restored ones
  (renames inside the folder, so the folder itself may be a mount point).
- It does not migrate: when the archive's Alembic revision is older than the code's, the
  result says to run `flask --app app db upgrade`.

Restore only while the web server, the worker and the scheduler are stopped.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from flask import current_app
from sqlalchemy import inspect, text
from sqlalchemy.engine import URL

from dwgk.core import clock
from dwgk.extensions import db

ARCHIVE_FORMAT = 1
MANIFEST = "manifest.json"
DATABASE_MEMBERS = {"sqlite": "database/dwgk.sqlite3", "postgresql": "database/dwgk.pgdump"}
ARCHIVE_NAME = re.compile(r"dwgk-backup-(\d{8}-\d{6})(?:-(\d+))?\.tar\.gz")
SHA256 = re.compile(r"[0-9a-f]{64}")
CHUNK_SIZE = 1024 * 1024
ROOT = Path(__file__).resolve().parents[2]

POSTGRES_CLIENT_MISSING = (
    "找不到 {tool}：备份和恢复 PostgreSQL 数据库需要 PostgreSQL 客户端工具，请先安装："
    "apt-get install postgresql-client（其主版本不得低于数据库服务器的）。\n"
    "{tool} not found: install the PostgreSQL client tools (apt-get install postgresql-client), "
    "of the server's major version or newer.")


class BackupError(Exception):
    """A backup or restore that was refused or failed; the message says why, to a person."""


@dataclass
class BackupResult:
    path: Path
    archive_size: int
    database_size: int
    upload_count: int
    upload_size: int
    seconds: float
    removed: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass
class RestoreResult:
    manifest: dict
    database_size: int
    upload_count: int
    upload_size: int
    seconds: float
    hints: list[str] = field(default_factory=list)


# --- what is configured -------------------------------------------------------------------

def database_kind() -> str:
    name = db.engine.dialect.name
    if name not in DATABASE_MEMBERS:
        raise BackupError(f"不支持备份 {name} 数据库（只支持 SQLite 和 PostgreSQL）。")
    return name


def default_directory() -> Path:
    return Path(current_app.instance_path) / "backups"


def upload_dir() -> Path:
    return Path(current_app.config["DWGK_UPLOAD_DIR"]).resolve()


def shown_database_url() -> str:
    return db.engine.url.render_as_string(hide_password=True)


def _sqlite_path() -> Path:
    name = db.engine.url.database
    if not name or name == ":memory:" or name.startswith("file:"):
        raise BackupError(f"无法备份或恢复这个 SQLite 数据库：{shown_database_url()}")
    return Path(name).resolve()


def _script_directory():
    from alembic.script import ScriptDirectory

    return ScriptDirectory(current_app.extensions["migrate"].directory)


def code_schema_head() -> str | None:
    """The Alembic revision this code's migrations end at."""
    heads = _script_directory().get_heads()
    return ",".join(sorted(heads)) or None


def _code_commit() -> str | None:
    """The git commit of the running code, when it is a git checkout (for the manifest)."""
    git = shutil.which("git")
    if git is None or not (ROOT / ".git").exists():
        return None
    try:
        done = subprocess.run([git, "-C", str(ROOT), "rev-parse", "--short=12", "HEAD"],
                              capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode != 0:
        return None
    return done.stdout.strip() or None


# --- small helpers ------------------------------------------------------------------------

def human_size(size: int) -> str:
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"  # pragma: no cover


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK_SIZE):
            digest.update(chunk)
    return digest.hexdigest()


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class _HashingReader:
    """Hands tarfile the bytes of a file and hashes exactly the bytes it took."""

    def __init__(self, raw):
        self.raw = raw
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self.digest.update(data)
        return data


def _run(argv: list[str], env: dict[str, str], what: str, note: str = "") -> None:
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        detail = (done.stderr or done.stdout or "").strip()[-2000:]
        raise BackupError(f"{what}失败（{Path(argv[0]).name} 退出码 {done.returncode}）{note}：\n{detail}")


# --- PostgreSQL --------------------------------------------------------------------------

def _postgres_tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(POSTGRES_CLIENT_MISSING.format(tool=name))
    return found


def libpq_connection(url: URL) -> tuple[str, dict[str, str]]:
    """The libpq connection string for a SQLAlchemy URL (`postgresql+psycopg://…`), and the
    environment to run the client tools in: the password travels in PGPASSWORD, never on
    the command line (where `ps` would show it)."""
    from psycopg.conninfo import make_conninfo

    params: dict[str, str] = {}
    for key, value in url.query.items():  # e.g. ?sslmode=require, ?host=/run/postgresql
        params[key] = value[-1] if isinstance(value, tuple) else value
    for key, value in (("host", url.host), ("port", url.port), ("user", url.username),
                       ("dbname", url.database)):
        if value not in (None, ""):
            params[key] = str(value)
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return make_conninfo(**params), env


def _pg_dump(destination: Path, snapshot: str | None = None) -> None:
    tool = _postgres_tool("pg_dump")
    conninfo, env = libpq_connection(db.engine.url)
    _run([tool, "--format=custom", "--no-password", f"--file={destination}",
          *([f"--snapshot={snapshot}"] if snapshot else []),
          f"--dbname={conninfo}"], env, "pg_dump 导出数据库")


def _pg_restore(dump: Path) -> None:
    """Replace the configured database's tables with the dump's, in one transaction."""
    pg_restore = _postgres_tool("pg_restore")
    psql = _postgres_tool("psql")
    conninfo, env = libpq_connection(db.engine.url)
    # The whole SQL script first: should pg_restore fail half-way, psql must not commit
    # the half it was given (nor, on an unreadable dump, just the DROP below).
    script = dump.with_name(dump.name + ".sql")
    _run([pg_restore, "--clean", "--if-exists", "--no-owner", "--no-acl", f"--file={script}",
          str(dump)], env, "pg_restore 读取备份", "，数据库未改动")
    # --clean drops only what the dump holds: tables that newer migrations added would
    # survive and break the next `db upgrade`. Drop every table first, in the same
    # transaction as the restore.
    preparer = db.engine.dialect.identifier_preparer
    tables = inspect(db.engine).get_table_names()
    db.session.remove()
    db.engine.dispose()
    prologue = ["SET client_min_messages = warning", "SET lock_timeout = '30s'"]
    if tables:
        prologue.append("DROP TABLE IF EXISTS " + ", ".join(preparer.quote(t) for t in tables)
                        + " CASCADE")
    try:
        _run([psql, "--no-psqlrc", "--quiet", "--no-password", "--set=ON_ERROR_STOP=1",
              "--single-transaction", "--command", "; ".join(prologue), f"--file={script}",
              f"--dbname={conninfo}"], env, "psql 写入数据库", "，整个恢复已回滚，数据库未改动")
    finally:
        script.unlink(missing_ok=True)


# --- SQLite ------------------------------------------------------------------------------

def _sqlite_snapshot(source: Path, copy: Path) -> None:
    """Copy the live database with the online backup API: one consistent snapshot, with
    what is still in the WAL. Writers are not stopped (WAL readers do not block them)."""
    if not source.is_file():
        raise BackupError(f"找不到数据库文件：{source}")
    live = sqlite3.connect(source, timeout=30)
    try:
        target = sqlite3.connect(copy)
        try:
            live.backup(target)  # pages=-1: all at once, under one read transaction
            # The copy inherits WAL mode; a rollback journal makes it one self-contained file.
            target.execute("PRAGMA journal_mode=DELETE")
        finally:
            target.close()
    finally:
        live.close()


def _sqlite_rows(path: Path, sql: str) -> list[tuple]:
    connection = sqlite3.connect(path)
    try:
        return connection.execute(sql).fetchall()
    except sqlite3.OperationalError:  # an empty database: no such table
        return []
    finally:
        connection.close()


def integrity_problem(path: Path) -> str | None:
    """None when SQLite's `PRAGMA integrity_check` says ok; otherwise what it said."""
    try:
        connection = sqlite3.connect(path)
        try:
            rows = connection.execute("PRAGMA integrity_check").fetchall()
        finally:
            connection.close()
    except sqlite3.DatabaseError as exc:
        return str(exc)
    if rows == [("ok",)]:
        return None
    return "; ".join(str(row[0]) for row in rows[:10])


def _replace_sqlite(staged: Path, target: Path) -> None:
    """Put the restored file in place of the live one. A `-wal` left beside the target
    would be replayed into the restored file the next time it is opened (and
    integrity_check would still say ok): remove it, and `-shm` and `-journal`, first."""
    previous = target.stat() if target.exists() else None
    for suffix in ("-wal", "-shm", "-journal"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    os.chmod(staged, previous.st_mode & 0o777 if previous else 0o600)
    if previous is not None and os.geteuid() == 0:  # root restoring for the service's user
        os.chown(staged, previous.st_uid, previous.st_gid)
    _fsync(staged)
    os.replace(staged, target)
    _fsync(target.parent)


# --- create --------------------------------------------------------------------------------

def _destination(path: Path | None) -> tuple[Path, Path]:
    """(folder, archive path) for `backup create [PATH]`: PATH ending in .tar.gz is the
    archive itself; any other PATH is the folder; none: instance/backups/."""
    stamp = clock.local_now().strftime("%Y%m%d-%H%M%S")
    if path is None:
        folder = default_directory()
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(folder, 0o700)
    elif path.name.endswith(".tar.gz"):
        folder = path.parent
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        if path.exists():
            raise BackupError(f"文件已存在，未覆盖：{path}")
        return folder.resolve(), path.resolve()
    else:
        if path.exists() and not path.is_dir():
            raise BackupError(f"{path} 不是文件夹（备份文件名须以 .tar.gz 结尾）。")
        folder = path
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    folder = folder.resolve()
    target = folder / f"dwgk-backup-{stamp}.tar.gz"
    number = 2
    while target.exists():  # two backups within one second
        target = folder / f"dwgk-backup-{stamp}-{number}.tar.gz"
        number += 1
    return folder, target


def _upload_files(root: Path):
    """(path, name in the archive) of every stored upload, in a stable order. Hidden
    entries are uploads in progress (`.upload-*`) or a restore's leftovers: skipped."""
    if not root.is_dir():
        return
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if name.startswith("."):
                continue
            path = Path(folder) / name
            if path.is_symlink() or not path.is_file():
                continue
            yield path, "uploads/" + path.relative_to(root).as_posix()


def _tarinfo(name: str, size: int, mtime: float) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size = size
    info.mtime = int(mtime)
    info.mode = 0o600
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    return info


ATTACHMENT_ROWS = ("SELECT attachment.stored_name, attachment.sha256, attachment.original_name "
                   "FROM attachment")


def _member_of(stored_name: str) -> str:
    return f"uploads/{stored_name[:2]}/{stored_name}"


def _add_file(tar, source: Path, name: str, files: list[dict]) -> bool:
    """Add one file under `name`; False when it is gone."""
    try:
        handle = open(source, "rb")
    except FileNotFoundError:
        return False
    with handle:
        status = os.fstat(handle.fileno())
        reader = _HashingReader(handle)
        tar.addfile(_tarinfo(name, status.st_size, status.st_mtime), reader)
    files.append({"name": name, "size": status.st_size, "sha256": reader.digest.hexdigest()})
    return True


def _add_snapshot_files(tar, rows, files: list[dict]) -> list[tuple[str, str, str]]:
    """Every attachment row of the database copy must find its file in the archive. A file
    removed since the copy was taken (its row deleted after it) waits in the trash for a
    day: take it from there. Returns the rows whose file is in neither place, or differs."""
    from dwgk.disclosures.attachments import trash_path

    archived = {entry["name"]: entry for entry in files}
    missing = []
    for stored_name, sha256, original_name in rows:
        name = _member_of(stored_name)
        if name not in archived and _add_file(tar, trash_path(stored_name), name, files):
            archived[name] = files[-1]
        entry = archived.get(name)
        if entry is None or entry["sha256"] != sha256:
            missing.append((stored_name, sha256, original_name))
    return missing


def _drop_attachment_rows(copy: Path, missing) -> None:
    """Take the rows whose file is missing out of the SQLite copy: the archive holds every
    row's file, or not the row."""
    connection = sqlite3.connect(copy)
    try:
        with connection:
            connection.executemany("DELETE FROM attachment WHERE stored_name = ? AND sha256 = ?",
                                   [(stored_name, sha256) for stored_name, sha256, _ in missing])
        connection.execute("VACUUM")
    finally:
        connection.close()


def create_backup(path: Path | None = None, *, keep: int | None = None) -> BackupResult:
    """Write a backup archive of the database and the uploads; see the module docstring.
    With `keep`, delete all but the newest `keep` backups in the archive's folder."""
    started = time.monotonic()
    kind = database_kind()
    folder, target = _destination(path)
    uploads = upload_dir()
    files: list[dict] = []
    warnings: list[str] = []
    with tempfile.TemporaryDirectory(dir=folder, prefix=".dwgk-backup-") as work:
        work = Path(work)
        copy = work / Path(DATABASE_MEMBERS[kind]).name
        if kind == "sqlite":
            _sqlite_snapshot(_sqlite_path(), copy)
            revision_rows = _sqlite_rows(copy, "SELECT version_num FROM alembic_version")
            attachment_rows = _sqlite_rows(copy, ATTACHMENT_ROWS)
        else:
            revision_rows, attachment_rows = _pg_dump_with_rows(
                copy, ["SELECT version_num FROM alembic_version", ATTACHMENT_ROWS])
        revision = ",".join(sorted(row[0] for row in revision_rows)) or None
        partial = work / "archive.tar.gz"
        with tarfile.open(partial, "w:gz", compresslevel=6) as tar:
            # The files after the database copy (a row's file is written before its row is
            # committed); the copy itself last but the manifest, as it may lose rows below.
            for source, name in _upload_files(uploads):
                _add_file(tar, source, name, files)  # one deleted since the listing: skipped
            missing = _add_snapshot_files(tar, attachment_rows, files)
            for _stored_name, _sha, original_name in missing:
                warnings.append(f"附件文件缺失：{original_name}（在 dwgk 之外被删除或改动）"
                                + ("，已从备份中去掉这条附件记录" if kind == "sqlite" else ""))
            if missing and kind == "sqlite":
                _drop_attachment_rows(copy, missing)
            database_size = copy.stat().st_size
            with open(copy, "rb") as handle:
                reader = _HashingReader(handle)
                tar.addfile(_tarinfo(DATABASE_MEMBERS[kind], database_size, time.time()), reader)
            files.insert(0, {"name": DATABASE_MEMBERS[kind], "size": database_size,
                             "sha256": reader.digest.hexdigest()})
            manifest = {
                "format": ARCHIVE_FORMAT,
                "app": "dwgk",
                "created_at": clock.now().isoformat(timespec="seconds"),
                "code_commit": _code_commit(),
                "code_schema_head": code_schema_head(),
                "database": {"kind": kind, "file": DATABASE_MEMBERS[kind],
                             "alembic_revision": revision},
                "uploads": {"root": "uploads/", "source": str(uploads)},
                "files": files,
            }
            data = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
            tar.addfile(_tarinfo(MANIFEST, len(data), time.time()), _BytesReader(data))
        os.chmod(partial, 0o600)
        _fsync(partial)
        os.replace(partial, target)
        _fsync(folder)
    removed = prune(folder, keep, newest=target) if keep else []
    uploaded = [f for f in files if f["name"].startswith("uploads/")]
    return BackupResult(
        path=target, archive_size=target.stat().st_size, database_size=database_size,
        upload_count=len(uploaded), upload_size=sum(f["size"] for f in uploaded),
        seconds=time.monotonic() - started, removed=removed, warnings=warnings)


def _pg_dump_with_rows(destination: Path, queries: list[str]) -> list[list[tuple]]:
    """pg_dump in a snapshot of our own, exported to it (`--snapshot`), and the rows of
    `queries` read in that same snapshot: exactly what the dump holds."""
    with db.engine.connect() as connection:
        connection = connection.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            snapshot = connection.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            results = []
            for query in queries:
                table = query.rsplit("FROM ", 1)[1].split()[0]
                present = connection.execute(text("SELECT to_regclass(:t)"), {"t": table}).scalar()
                results.append([tuple(row) for row in connection.execute(text(query))]
                               if present else [])
            _pg_dump(destination, snapshot=snapshot)
    return results


class _BytesReader:
    def __init__(self, data: bytes):
        self.data, self.offset = data, 0

    def read(self, size: int = -1) -> bytes:
        end = len(self.data) if size is None or size < 0 else self.offset + size
        chunk = self.data[self.offset:end]
        self.offset += len(chunk)
        return chunk


def prune(folder: Path, keep: int, *, newest: Path) -> list[Path]:
    """Delete the backups in `folder` beyond the newest `keep` (the one just written counts
    and is never deleted). Only files named like our archives are touched."""
    found = []
    for entry in folder.iterdir():
        match = ARCHIVE_NAME.fullmatch(entry.name)
        if match and entry.is_file() and entry != newest:
            found.append(((match.group(1), int(match.group(2) or 1)), entry))
    found.sort(reverse=True)
    removed = []
    for _, entry in found[max(keep - 1, 0):]:
        entry.unlink(missing_ok=True)
        removed.append(entry)
    return removed


# --- reading and checking an archive --------------------------------------------------------

def _member_path(member: tarfile.TarInfo) -> PurePosixPath:
    """The member's name, checked: relative, no `..`, under database/ or uploads/ (or the
    manifest), and only a regular file or a folder — nothing that could land outside."""
    name = member.name
    path = PurePosixPath(name)
    bad = (not name or "\\" in name or "\x00" in name or path.is_absolute()
           or any(part in ("", ".", "..") for part in name.split("/"))
           or not (name == MANIFEST or (path.parts[0] in ("database", "uploads")
                                        and len(path.parts) >= 2)))
    if bad or not (member.isreg() or member.isdir()):
        raise BackupError(f"备份文件中有不允许的条目，已拒绝恢复：{name!r}"
                          "（只能是 database/、uploads/ 下的普通文件）。")
    try:  # Python's own check for what may be extracted, as a second opinion
        tarfile.data_filter(member, "/nonexistent-restore-root")
    except tarfile.FilterError as exc:
        raise BackupError(f"备份文件中有不安全的条目，已拒绝恢复：{name!r}（{exc}）") from None
    return path


def read_archive(archive: Path) -> tuple[dict, dict[str, tarfile.TarInfo]]:
    """The archive's manifest and its file members by name, after checking that every
    member is allowed and the members are exactly the files the manifest lists."""
    try:
        with tarfile.open(archive, "r:gz") as tar:
            members = tar.getmembers()
            seen: dict[str, tarfile.TarInfo] = {}
            for member in members:
                _member_path(member)
                if member.isdir():
                    continue
                if member.name in seen:
                    raise BackupError(f"备份文件中 {member.name} 出现了两次，已拒绝恢复。")
                seen[member.name] = member
            if MANIFEST not in seen:
                raise BackupError("这不是 dwgk 的备份文件：缺少 manifest.json。")
            manifest_member = seen.pop(MANIFEST)
            if manifest_member.size > 64 * 1024 * 1024:
                raise BackupError("manifest.json 过大，已拒绝恢复。")
            manifest = json.loads(tar.extractfile(manifest_member).read().decode())
    except (tarfile.TarError, OSError, EOFError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BackupError(f"无法读取备份文件 {archive}：{exc}") from None
    _check_manifest(manifest, seen)
    return manifest, seen


def _check_manifest(manifest, members: dict[str, tarfile.TarInfo]) -> None:
    if not isinstance(manifest, dict) or manifest.get("app") != "dwgk":
        raise BackupError("这不是 dwgk 的备份文件（manifest.json 不符）。")
    if manifest.get("format") != ARCHIVE_FORMAT:
        raise BackupError(f"不认识的备份格式 {manifest.get('format')!r}（本程序读取格式 {ARCHIVE_FORMAT}）。")
    database = manifest.get("database")
    files = manifest.get("files")
    if (not isinstance(database, dict) or database.get("kind") not in DATABASE_MEMBERS
            or not isinstance(files, list)):
        raise BackupError("备份文件的 manifest.json 不完整。")
    listed: dict[str, dict] = {}
    for entry in files:
        if (not isinstance(entry, dict) or not isinstance(entry.get("name"), str)
                or not isinstance(entry.get("size"), int) or entry["size"] < 0
                or not SHA256.fullmatch(str(entry.get("sha256")))
                or entry["name"] in listed or entry["name"] == MANIFEST):
            raise BackupError(f"manifest.json 中的文件条目无效：{entry!r}")
        listed[entry["name"]] = entry
    if database.get("file") != DATABASE_MEMBERS[database["kind"]] or database["file"] not in listed:
        raise BackupError("manifest.json 中没有数据库文件。")
    if any(name.startswith("database/") and name != database["file"] for name in listed):
        raise BackupError("备份文件中有多余的数据库文件，已拒绝恢复。")
    if set(listed) != set(members):
        missing = sorted(set(listed) - set(members))[:5]
        extra = sorted(set(members) - set(listed))[:5]
        raise BackupError(f"备份文件与 manifest.json 不符（缺少 {missing}，多出 {extra}），已拒绝恢复。")
    for name, entry in listed.items():
        if members[name].size != entry["size"]:
            raise BackupError(f"{name} 的大小与 manifest.json 不符，已拒绝恢复。")


def revision_hint(archive_revision: str | None) -> str | None:
    """What to do about the archive's schema revision, compared with the code's."""
    head = code_schema_head()
    if archive_revision == head:
        return None
    script = _script_directory()
    known = {r.revision for r in script.walk_revisions()}
    if archive_revision is None or set(archive_revision.split(",")) <= known:
        return ("备份的数据库结构版本（{0}）早于本程序的（{1}）：请运行 "
                "flask --app app db upgrade 升级数据库后再启动服务。").format(archive_revision, head)
    return (f"备份来自更新版本的程序（数据库结构版本 {archive_revision}，本程序只认识到 {head}）："
            "请先把程序更新到该版本，再启动服务。")


# --- restore ------------------------------------------------------------------------------------

def _write_member(tar: tarfile.TarFile, member: tarfile.TarInfo, destination: Path,
                  expected: dict) -> None:
    """Stream one member to `destination` (mode 600), checking its size and sha256."""
    source = tar.extractfile(member)
    digest = hashlib.sha256()
    size = 0
    fd = os.open(destination, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        while chunk := source.read(CHUNK_SIZE):
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
        out.flush()
        os.fsync(out.fileno())
    if size != expected["size"] or digest.hexdigest() != expected["sha256"]:
        raise BackupError(f"{member.name} 的校验值（sha256）与 manifest.json 不符：备份文件已损坏或被改动，"
                          "已拒绝恢复，当前数据未改动。")


def _swap_uploads(staged: Path, uploads: Path) -> None:
    """Make the upload folder hold exactly what `staged` (a folder inside it) holds.
    Renames inside the folder only: it may be a mount point on shared storage."""
    replaced = Path(tempfile.mkdtemp(dir=uploads, prefix=".replaced-"))
    for entry in list(uploads.iterdir()):
        if entry not in (staged, replaced):
            os.rename(entry, replaced / entry.name)
    for entry in list(staged.iterdir()):
        os.rename(entry, uploads / entry.name)
    staged.rmdir()
    shutil.rmtree(replaced, ignore_errors=True)


def _chown_tree(root: Path, uid: int, gid: int) -> None:
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            os.chown(Path(folder) / name, uid, gid, follow_symlinks=False)


def restore_backup(archive: Path) -> RestoreResult:
    """Replace the configured database and the uploads with the archive's; see the module
    docstring. Refuses (BackupError) before changing anything when a check fails."""
    started = time.monotonic()
    kind = database_kind()
    manifest, members = read_archive(archive)
    archive_kind = manifest["database"]["kind"]
    if archive_kind != kind:
        raise BackupError(f"备份中的数据库是 {archive_kind}，而当前配置的是 {kind}"
                          f"（{shown_database_url()}），已拒绝恢复。")
    listed = {entry["name"]: entry for entry in manifest["files"]}
    uploads = upload_dir()
    uploads.mkdir(parents=True, exist_ok=True)
    target = _sqlite_path() if kind == "sqlite" else None
    if target is not None:
        target.parent.mkdir(parents=True, exist_ok=True)
        staged_db = Path(tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.restore-")[1])
        scratch = None
    else:
        scratch = Path(tempfile.mkdtemp(prefix="dwgk-restore-"))
        staged_db = scratch / "dwgk.pgdump"
    staged_db.unlink(missing_ok=True)
    staged_uploads = Path(tempfile.mkdtemp(dir=uploads, prefix=".restore-"))
    database_applied = False
    try:
        with tarfile.open(archive, "r:gz") as tar:
            for member in tar:
                if member.name not in members:
                    continue
                path = _member_path(member)
                if member.name == manifest["database"]["file"]:
                    destination = staged_db
                else:
                    destination = staged_uploads.joinpath(*path.parts[1:])
                    if not destination.resolve().is_relative_to(staged_uploads.resolve()):
                        raise BackupError(f"不安全的路径，已拒绝恢复：{member.name!r}")
                    destination.parent.mkdir(parents=True, exist_ok=True)
                _write_member(tar, member, destination, listed[member.name])
        if kind == "sqlite":
            problem = integrity_problem(staged_db)
            if problem is not None:
                raise BackupError(f"备份中的数据库副本未通过完整性检查（PRAGMA integrity_check）："
                                  f"{problem}。已拒绝恢复，当前数据库未改动。")
        if os.geteuid() == 0:  # root restoring for the service's user: keep its ownership
            owner = uploads.stat()
            _chown_tree(staged_uploads, owner.st_uid, owner.st_gid)
        db.session.remove()
        db.engine.dispose()  # this process lets go of the old database before it goes
        if kind == "sqlite":
            _replace_sqlite(staged_db, target)
        else:
            _pg_restore(staged_db)
        database_applied = True
        _swap_uploads(staged_uploads, uploads)
    except BaseException as exc:
        staged_db.unlink(missing_ok=True)
        if database_applied:  # keep the restored files: the person can finish by hand
            raise BackupError(f"数据库已恢复，但替换附件目录失败：{exc}。恢复出的附件在 {staged_uploads}，"
                              f"请手工移入 {uploads}。") from exc
        shutil.rmtree(staged_uploads, ignore_errors=True)
        raise
    finally:
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
    uploaded = [entry for name, entry in listed.items() if name.startswith("uploads/")]
    hints = [hint for hint in [revision_hint(manifest["database"].get("alembic_revision"))] if hint]
    return RestoreResult(
        manifest=manifest, database_size=listed[manifest["database"]["file"]]["size"],
        upload_count=len(uploaded), upload_size=sum(entry["size"] for entry in uploaded),
        seconds=time.monotonic() - started, hints=hints)

