"""`flask --app app backup create` and `backup restore`: a round trip changes no row and no
attachment; the restore checks everything before it touches anything."""
from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import stat
import tarfile
from datetime import datetime
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, delete, inspect, select, text

from dwgk import create_app
from dwgk.accounts.models import Role, User
from dwgk.core.audit import AuditEvent
from dwgk.core.audit import record
from dwgk.disclosures import attachments
from dwgk.disclosures.models import Disclosure, State
from dwgk.extensions import db
from dwgk.ops import backup
from dwgk.ops.cli import backup_cli
from tests.attachments import DOCX, PDF, PNG, file_storage, make_item_with_attachment
from tests.factories import make_user

PG_URL = os.environ.get("DWGK_TEST_DATABASE_URL", "")


# --- helpers -------------------------------------------------------------------------------

def _sqlite_app(make_app, folder: Path):
    """An app on its own SQLite file (not the session's shared test database), migrated."""
    app = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{folder / 'dwgk.sqlite3'}",
                   DWGK_UPLOAD_DIR=str(folder / "uploads"),
                   DWGK_INSTANCE_PATH=str(folder / "instance"))
    with app.app_context():
        upgrade()
    return app


def _db_path(app) -> Path:
    return Path(app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///"))


def _uploads(app) -> Path:
    return Path(app.config["DWGK_UPLOAD_DIR"])


def _build_unit(app) -> None:
    """A realistic small unit: users, a published item and a draft with attachments
    uploaded through the service while they were drafts, audit events."""
    with app.app_context():
        admin = make_user(Role.ADMIN, username="admin", display_name="系统管理员")
        make_item_with_attachment(name="党费收缴情况.pdf", data=PDF, title="2026年第三季度党费收缴情况")
        draft, _ = make_item_with_attachment(State.DRAFT, name="支部活动照片.png", data=PNG,
                                             title="主题党日活动方案")
        attachments.add_attachment(draft.working_revision, file_storage("活动方案.docx", DOCX),
                                   actor=draft.created_by)
        record("backup.test", summary="备份前的一条操作记录", actor=admin)
        db.session.commit()


def _invoke(app, *args):
    return app.test_cli_runner().invoke(backup_cli, list(args))


def _create(app, folder: Path) -> Path:
    result = _invoke(app, "create", str(folder))
    assert result.exit_code == 0, result.output
    (archive,) = sorted(folder.glob("dwgk-backup-*.tar.gz"))
    return archive


def _sqlite_rows(path: Path) -> dict[str, list]:
    """Every row of every table (FTS shadow tables and alembic_version included), sorted."""
    connection = sqlite3.connect(path)
    try:
        names = [row[0] for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {name: sorted(connection.execute(f'SELECT * FROM "{name}"').fetchall(), key=repr)
                for name in names}
    finally:
        connection.close()


def _app_rows(app) -> dict[str, list]:
    with app.app_context():
        names = sorted(inspect(db.engine).get_table_names())
        rows = {name: sorted((tuple(row) for row in db.session.execute(text(f'SELECT * FROM "{name}"'))),
                             key=repr) for name in names}
        db.session.rollback()
        db.session.remove()
        return rows


def _files(folder: Path) -> dict[str, str]:
    """relative path -> sha256 of every file under `folder`, hidden ones included."""
    return {path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(folder.rglob("*")) if path.is_file()}


def _change_everything(app) -> None:
    """What happens after a backup: rows changed, deleted and added; files too."""
    with app.app_context():
        for user in db.session.scalars(select(User)):
            user.display_name = "改过的名字"
        db.session.execute(delete(AuditEvent))
        make_user(Role.MEMBER, username="newcomer")
        draft = db.session.scalars(select(Disclosure).where(Disclosure.state == State.DRAFT)).one()
        draft.working_revision.title = "改过的标题"
        removed = attachments.remove_attachment(draft.working_revision.attachments[0],
                                                actor=draft.created_by)
        db.session.commit()
        attachments.delete_file_if_unused(removed)
    files = sorted(p for p in _uploads(app).rglob("*") if p.is_file())
    files[0].write_bytes(b"changed after the backup")
    (_uploads(app) / "zz").mkdir()
    (_uploads(app) / "zz" / "stray").write_bytes(b"not in the backup")


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _rewrite(archive: Path, out: Path, *, change=None, rename=None, manifest_change=None,
             extra=(), fix_manifest: bool = True) -> Path:
    """A copy of `archive` with members changed by `change(name, data)` (None drops one) and
    renamed by `rename` (old -> new), raw `extra` members (TarInfo, data or None) added, the
    manifest recomputed for the regular members (unless fix_manifest is False) and then
    changed by `manifest_change`."""
    with tarfile.open(archive) as tar:
        members = {(rename or {}).get(m.name, m.name): tar.extractfile(m).read()
                   for m in tar.getmembers() if m.isfile()}
    manifest = json.loads(members.pop(backup.MANIFEST))
    if change:
        members = {name: change(name, data) for name, data in members.items()}
        members = {name: data for name, data in members.items() if data is not None}
    if fix_manifest:
        manifest["files"] = [{"name": name, "size": len(data), "sha256": _sha(data)}
                             for name, data in members.items()]
    if manifest_change:
        manifest_change(manifest)
    with tarfile.open(out, "w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        for info, data in extra:
            tar.addfile(info, io.BytesIO(data) if data is not None else None)
        data = json.dumps(manifest).encode()
        info = tarfile.TarInfo(backup.MANIFEST)
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    return out


def _corrupt_table_page(data: bytes, table: str, scratch: Path) -> bytes:
    """The database `data` with the root page of `table` overwritten with garbage."""
    scratch.write_bytes(data)
    connection = sqlite3.connect(scratch)
    page_size = connection.execute("PRAGMA page_size").fetchone()[0]
    root = connection.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0]
    connection.close()
    corrupt = bytearray(data)
    start = (root - 1) * page_size
    corrupt[start:start + page_size] = bytes([0x0D, 0xFF, 0xFF, 0x7F]) * (page_size // 4)
    return bytes(corrupt)


@pytest.fixture
def unit(make_app, tmp_path):
    """An app on its own SQLite file with a realistic unit in it, and its backup."""
    app = _sqlite_app(make_app, tmp_path / "site")
    _build_unit(app)
    archive = _create(app, tmp_path / "backups")
    return app, archive


# --- the round trip -------------------------------------------------------------------------

def test_backup_commands_are_registered(app):
    assert app.cli.commands.get("backup") is backup_cli


def test_sqlite_round_trip_changes_no_row_and_no_attachment(make_app, tmp_path):
    app = _sqlite_app(make_app, tmp_path / "site")
    _build_unit(app)
    database = _db_path(app)
    # The writes are still in the WAL (the app holds its connections; nothing checkpointed):
    # a plain copy of the database file would miss them.
    assert Path(f"{database}-wal").stat().st_size > 0
    plain_copy = tmp_path / "plain-copy.sqlite3"
    shutil.copyfile(database, plain_copy)
    before_rows = _sqlite_rows(database)
    before_files = _files(_uploads(app))
    assert _sqlite_rows(plain_copy) != before_rows
    assert len(before_files) == 3
    assert len(before_rows["audit_event"]) >= 8 and len(before_rows["attachment"]) == 3

    result = _invoke(app, "create", str(tmp_path / "backups"))
    assert result.exit_code == 0, result.output
    (archive,) = (tmp_path / "backups").glob("dwgk-backup-*.tar.gz")
    assert str(archive) in result.output and "附件 3 个" in result.output
    assert "警告" not in result.output

    _change_everything(app)
    assert _sqlite_rows(database) != before_rows
    assert _files(_uploads(app)) != before_files

    result = _invoke(app, "restore", str(archive), "--yes")
    assert result.exit_code == 0, result.output
    assert "已恢复" in result.output
    assert _sqlite_rows(database) == before_rows
    assert _files(_uploads(app)) == before_files  # and nothing else: no temporary folders
    # The app goes on working on the restored database, ids included.
    with app.app_context():
        assert db.session.scalar(select(User).where(User.username == "newcomer")) is None
        make_user(username="after-restore")
        db.session.commit()


def test_archive_holds_a_manifest_with_every_file_and_its_sha256(unit, tmp_path):
    app, archive = unit
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        manifest = json.loads(tar.extractfile(backup.MANIFEST).read())
        contents = {m.name: tar.extractfile(m).read() for m in tar.getmembers() if m.isfile()}
    assert names[-1] == backup.MANIFEST
    assert manifest["app"] == "dwgk" and manifest["format"] == backup.ARCHIVE_FORMAT
    assert manifest["database"]["kind"] == "sqlite"
    with app.app_context():
        head = backup.code_schema_head()
    assert manifest["database"]["alembic_revision"] == head == manifest["code_schema_head"]
    datetime.fromisoformat(manifest["created_at"])
    listed = {f["name"]: f for f in manifest["files"]}
    assert set(listed) == set(contents) - {backup.MANIFEST}
    for name, entry in listed.items():
        assert entry["size"] == len(contents[name]) and entry["sha256"] == _sha(contents[name])
    stored = {f"uploads/{name}": sha for name, sha in _files(_uploads(app)).items()}
    assert {n: e["sha256"] for n, e in listed.items() if n.startswith("uploads/")} == stored
    # The database copy is one self-contained file (rollback journal, not WAL) and sound.
    copy = tmp_path / "copy.sqlite3"
    copy.write_bytes(contents["database/dwgk.sqlite3"])
    assert copy.read_bytes()[18:20] == b"\x01\x01"
    assert backup.integrity_problem(copy) is None


def test_restore_onto_a_new_machine(unit, make_app, tmp_path):
    """Nothing there yet: no database file, no upload folder contents."""
    app, archive = unit
    expected_rows = _sqlite_rows(_db_path(app))
    expected_files = _files(_uploads(app))
    elsewhere = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'new' / 'db' / 'dwgk.sqlite3'}",
                         DWGK_UPLOAD_DIR=str(tmp_path / "new" / "files"),
                         DWGK_INSTANCE_PATH=str(tmp_path / "new" / "instance"))
    result = _invoke(elsewhere, "restore", str(archive), "--yes")
    assert result.exit_code == 0, result.output
    assert _sqlite_rows(_db_path(elsewhere)) == expected_rows
    assert _files(_uploads(elsewhere)) == expected_files


def test_restore_removes_a_stale_wal_instead_of_replaying_it(unit, tmp_path):
    app, archive = unit
    database = _db_path(app)
    expected = _sqlite_rows(database)
    with app.app_context():
        db.engine.dispose()
    # A WAL with later, committed writes, as a crash (or a copy from elsewhere) leaves it.
    connection = sqlite3.connect(database, isolation_level=None)
    connection.execute("PRAGMA wal_autocheckpoint=0")
    connection.execute("UPDATE app_user SET display_name = '来自旧 WAL'")
    connection.execute("DELETE FROM audit_event")
    stale_wal = Path(f"{database}-wal").read_bytes()
    connection.close()
    assert len(stale_wal) > 0
    Path(f"{database}-wal").write_bytes(stale_wal)
    Path(f"{database}-shm").write_bytes(b"\x00" * 32768)
    Path(f"{database}-journal").write_bytes(b"bogus hot journal")

    result = _invoke(app, "restore", str(archive), "--yes")
    assert result.exit_code == 0, result.output
    assert not Path(f"{database}-journal").exists()
    assert _sqlite_rows(database) == expected
    with app.app_context():  # and through the app, which switches the file to WAL again
        names = set(db.session.scalars(select(User.display_name)))
    assert "来自旧 WAL" not in names


# --- refusals: nothing is changed ----------------------------------------------------------

def _unchanged(app):
    """A snapshot to compare with after a refused restore."""
    return _sqlite_rows(_db_path(app)), _files(_uploads(app))


def _assert_refused(app, archive, before, *words):
    result = _invoke(app, "restore", str(archive), "--yes")
    assert result.exit_code == 1, result.output
    for word in words:
        assert word in result.output
    assert _unchanged(app) == before
    leftovers = [p.name for p in _db_path(app).parent.iterdir() if ".restore-" in p.name]
    assert leftovers == []
    return result


def test_restore_needs_yes_when_not_asked_at_a_terminal(unit):
    app, archive = unit
    _change_everything(app)
    before = _unchanged(app)
    result = _invoke(app, "restore", str(archive))
    assert result.exit_code == 1
    assert "--yes" in result.output and "停止" in result.output
    assert _unchanged(app) == before


def test_restore_asks_and_a_no_changes_nothing(unit, monkeypatch):
    app, archive = unit
    _change_everything(app)
    before = _unchanged(app)
    monkeypatch.setattr("dwgk.ops.cli.is_interactive", lambda: True)
    result = app.test_cli_runner().invoke(backup_cli, ["restore", str(archive)], input="n\n")
    assert result.exit_code == 1 and "已取消" in result.output
    assert _unchanged(app) == before


def test_corrupt_database_copy_is_refused_by_the_integrity_check(unit, tmp_path):
    app, archive = unit
    _change_everything(app)
    before = _unchanged(app)

    def corrupt(name, data):
        if name == "database/dwgk.sqlite3":
            return _corrupt_table_page(data, "revision", tmp_path / "scratch.sqlite3")
        return data

    bad = _rewrite(archive, tmp_path / "corrupt.tar.gz", change=corrupt)  # checksums recomputed
    result = _assert_refused(app, bad, before, "完整性检查", "未改动")
    assert "integrity_check" in result.output


def test_changed_file_inside_the_archive_is_refused_by_its_checksum(unit, tmp_path):
    app, archive = unit
    before = _unchanged(app)

    def tamper(name, data):
        return b"%PDF-1.4 forged" if name.startswith("uploads/") else data

    bad = _rewrite(archive, tmp_path / "tampered.tar.gz", change=tamper, fix_manifest=False)
    _assert_refused(app, bad, before, "大小与 manifest.json 不符")
    same_size = _rewrite(archive, tmp_path / "same-size.tar.gz", fix_manifest=False,
                         change=lambda name, data: bytes(reversed(data))
                         if name.startswith("uploads/") else data)
    _assert_refused(app, same_size, before, "sha256", "已损坏")


def test_archive_of_another_database_kind_is_refused(unit, tmp_path):
    app, archive = unit
    before = _unchanged(app)

    def as_postgres(manifest):
        manifest["database"] = {"kind": "postgresql", "file": "database/dwgk.pgdump",
                                "alembic_revision": manifest["database"]["alembic_revision"]}

    renamed = _rewrite(archive, tmp_path / "pg.tar.gz", manifest_change=as_postgres,
                       rename={"database/dwgk.sqlite3": "database/dwgk.pgdump"})
    _assert_refused(app, renamed, before, "postgresql", "sqlite")


def _member(name, kind=tarfile.REGTYPE, linkname="", data=b"evil"):
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = linkname
    info.size = len(data) if kind == tarfile.REGTYPE else 0
    return info, (data if kind == tarfile.REGTYPE else None)


@pytest.mark.parametrize("name, kind, linkname", [
    ("uploads/../../evil.txt", tarfile.REGTYPE, ""),
    ("../evil.txt", tarfile.REGTYPE, ""),
    ("database/../../evil.txt", tarfile.REGTYPE, ""),
    ("{tmp}/evil.txt", tarfile.REGTYPE, ""),
    ("uploads/ab/link", tarfile.SYMTYPE, "../../../evil.txt"),
    ("uploads/ab/hard", tarfile.LNKTYPE, "/etc/passwd"),
    ("uploads/ab/fifo", tarfile.FIFOTYPE, ""),
    ("evil.txt", tarfile.REGTYPE, ""),
], ids=["uploads-dotdot", "dotdot", "database-dotdot", "absolute", "symlink", "hardlink",
        "fifo", "outside-the-folders"])
def test_archive_with_unsafe_entries_is_refused(unit, tmp_path, name, kind, linkname):
    app, archive = unit
    before = _unchanged(app)
    name = name.format(tmp=tmp_path)
    info, data = _member(name, kind, linkname)

    def listed(manifest):  # a forger lists the entry too
        manifest["files"].append({"name": name, "size": 4, "sha256": _sha(b"evil")})

    bad = _rewrite(archive, tmp_path / "unsafe.tar.gz", extra=[(info, data)], manifest_change=listed)
    _assert_refused(app, bad, before, "已拒绝恢复")
    assert not list(tmp_path.rglob("evil.txt"))
    assert not list(tmp_path.parent.glob("evil.txt"))


def test_archive_with_files_the_manifest_does_not_list_is_refused(unit, tmp_path):
    app, archive = unit
    before = _unchanged(app)
    info, data = _member("uploads/ab/unlisted")
    bad = _rewrite(archive, tmp_path / "unlisted.tar.gz", extra=[(info, data)])
    _assert_refused(app, bad, before, "manifest.json 不符")


def test_not_a_backup_is_refused(unit, tmp_path):
    app, _ = unit
    before = _unchanged(app)
    junk = tmp_path / "junk.tar.gz"
    junk.write_bytes(b"this is not a gzip file")
    _assert_refused(app, junk, before, "无法读取备份文件")


# --- where backups go ----------------------------------------------------------------------

def test_default_folder_is_private_and_keep_deletes_the_oldest(make_app, tmp_path, frozen_clock):
    app = _sqlite_app(make_app, tmp_path / "site")
    _build_unit(app)
    folder = tmp_path / "site" / "instance" / "backups"
    (folder / "notes.txt").parent.mkdir(parents=True)
    (folder / "notes.txt").write_text("not a backup: never deleted")
    for hour in (1, 2, 3):
        frozen_clock(datetime(2026, 10, 9, hour, 15))
        result = _invoke(app, "create", "--keep", "2")
        assert result.exit_code == 0, result.output
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert sorted(p.name for p in folder.iterdir()) == [
        "dwgk-backup-20261009-021500.tar.gz", "dwgk-backup-20261009-031500.tar.gz", "notes.txt"]
    assert "已删除 1 个较早的备份" in result.output
    # Two in one second get distinct names; a named file is never overwritten.
    assert _invoke(app, "create").exit_code == 0
    assert (folder / "dwgk-backup-20261009-031500-2.tar.gz").exists()
    target = tmp_path / "named.tar.gz"
    assert _invoke(app, "create", str(target)).exit_code == 0
    result = _invoke(app, "create", str(target))
    assert result.exit_code == 1 and "已存在" in result.output


def test_backup_warns_about_an_attachment_whose_file_is_missing(unit, tmp_path):
    app, _ = unit
    next(p for p in _uploads(app).rglob("*") if p.is_file()).unlink()
    result = _invoke(app, "create", str(tmp_path / "more"))
    assert result.exit_code == 0
    assert "附件文件缺失" in result.output


def test_pg_connection_string_keeps_the_password_off_the_command_line():
    from sqlalchemy.engine import make_url

    conninfo, env = backup.libpq_connection(
        make_url("postgresql+psycopg://dwgk:s3cret%20pw@db.lan:5433/dwgk prod?sslmode=require"))
    assert "s3cret" not in conninfo
    assert env["PGPASSWORD"] == "s3cret pw"
    assert "host=db.lan" in conninfo and "port=5433" in conninfo and "user=dwgk" in conninfo
    assert "dbname='dwgk prod'" in conninfo and "sslmode=require" in conninfo


def test_missing_pg_dump_is_explained(monkeypatch):
    monkeypatch.setattr(backup.shutil, "which", lambda name: None)
    with pytest.raises(backup.BackupError, match="apt-get install postgresql-client"):
        backup._postgres_tool("pg_dump")


# --- PostgreSQL ----------------------------------------------------------------------------

def _need_postgres():
    if not PG_URL.startswith("postgresql"):
        pytest.skip("PostgreSQL round trip: DWGK_TEST_DATABASE_URL is not set")
    missing = [tool for tool in ("pg_dump", "pg_restore", "psql") if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"PostgreSQL round trip: {', '.join(missing)} not installed "
                    "(apt-get install postgresql-client)")


def test_postgresql_round_trip_changes_no_row_and_no_attachment(make_app, tmp_path):
    _need_postgres()
    app = make_app(DWGK_UPLOAD_DIR=str(tmp_path / "uploads"))  # the session's PostgreSQL
    _build_unit(app)
    before_rows = _app_rows(app)
    before_files = _files(_uploads(app))
    assert len(before_rows["attachment"]) == 3

    archive = _create(app, tmp_path / "backups")
    with tarfile.open(archive) as tar:
        manifest = json.loads(tar.extractfile(backup.MANIFEST).read())
    assert manifest["database"]["kind"] == "postgresql"
    assert manifest["database"]["alembic_revision"]

    _change_everything(app)
    assert _app_rows(app) != before_rows
    result = _invoke(app, "restore", str(archive), "--yes")
    assert result.exit_code == 0, result.output
    assert _app_rows(app) == before_rows
    assert _files(_uploads(app)) == before_files
    with app.app_context():  # sequences came back too: new rows get fresh ids
        make_user(username="after-restore")
        db.session.commit()


def test_postgresql_restore_into_an_empty_database(make_app, tmp_path, redis_server):
    """Another machine: a database with nothing in it yet."""
    _need_postgres()
    app = make_app(DWGK_UPLOAD_DIR=str(tmp_path / "uploads"))
    _build_unit(app)
    expected = _app_rows(app)
    archive = _create(app, tmp_path / "backups")

    from sqlalchemy.engine import make_url

    source = make_url(PG_URL)
    name = f"{source.database}_restore_{os.getpid()}"
    admin = create_engine(source, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # no CREATEDB privilege: the in-place round trip still ran
        admin.dispose()
        pytest.skip(f"cannot create a scratch database: {exc}")
    other = None
    try:
        other = create_app({
            "TESTING": True, "SECRET_KEY": "test", "SQLALCHEMY_DATABASE_URI":
            source.set(database=name).render_as_string(hide_password=False),
            "DWGK_INSTANCE_PATH": str(tmp_path / "other"),
            "DWGK_UPLOAD_DIR": str(tmp_path / "other" / "uploads"),
            "DWGK_REDIS_URL": redis_server.url,
        })
        result = _invoke(other, "restore", str(archive), "--yes")
        assert result.exit_code == 0, result.output
        assert _app_rows(other) == expected
        assert _files(_uploads(other)) == _files(_uploads(app))
    finally:
        if other is not None:
            with other.app_context():
                db.session.remove()
                db.engine.dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_postgresql_unreadable_dump_changes_nothing(make_app, tmp_path):
    _need_postgres()
    app = make_app(DWGK_UPLOAD_DIR=str(tmp_path / "uploads"))
    _build_unit(app)
    archive = _create(app, tmp_path / "backups")
    _change_everything(app)
    before_rows, before_files = _app_rows(app), _files(_uploads(app))

    def garble(name, data):  # checksums recomputed: only pg_restore can tell
        return b"PGDMP" + bytes(reversed(data[5:])) if name == "database/dwgk.pgdump" else data

    bad = _rewrite(archive, tmp_path / "garbled.tar.gz", change=garble)
    result = _invoke(app, "restore", str(bad), "--yes")
    assert result.exit_code == 1, result.output
    assert "pg_restore" in result.output and "数据库未改动" in result.output
    assert _app_rows(app) == before_rows
    assert _files(_uploads(app)) == before_files


# --- a backup taken while attachments change ------------------------------------------------

def _during_the_file_copy(monkeypatch, change) -> None:
    """Run `change()` after the database copy was taken, as the files are being copied."""
    listing = backup._upload_files

    def changed_first(root):
        change()
        yield from listing(root)

    monkeypatch.setattr(backup, "_upload_files", changed_first)


def _every_row_has_its_file(app) -> int:
    with app.app_context():
        rows = db.session.execute(select(text("stored_name"), text("sha256"))
                                  .select_from(text("attachment"))).all()
        for stored_name, sha256 in rows:
            path = attachments.path_for(stored_name)
            assert path.is_file(), f"restored row without its file: {stored_name}"
            assert _sha(path.read_bytes()) == sha256
        db.session.remove()
        return len(rows)


def test_attachments_removed_and_added_during_the_backup_leave_it_consistent(
        make_app, tmp_path, monkeypatch):
    app = _sqlite_app(make_app, tmp_path / "site")
    _build_unit(app)

    def office_at_work():
        with app.app_context():
            draft = db.session.scalars(select(Disclosure).where(Disclosure.state == State.DRAFT)).one()
            removed = [attachments.remove_attachment(attachment, actor=draft.created_by)
                       for attachment in list(draft.working_revision.attachments)]
            attachments.add_attachment(draft.working_revision, file_storage("新方案.pdf", PDF),
                                       actor=draft.created_by)
            db.session.commit()
            for path in removed:
                attachments.delete_file_if_unused(path)

    _during_the_file_copy(monkeypatch, office_at_work)
    result = _invoke(app, "create", str(tmp_path / "backups"))
    assert result.exit_code == 0, result.output
    # the three files of the snapshot's rows (two from the trash), and the new upload's
    # file, whose row came after the snapshot: unreferenced, harmless
    assert "警告" not in result.output and "附件 4 个" in result.output
    (archive,) = (tmp_path / "backups").glob("dwgk-backup-*.tar.gz")

    assert _invoke(app, "restore", str(archive), "--yes").exit_code == 0
    assert _every_row_has_its_file(app) == 3  # the rows of the snapshot, each with its file


def test_a_file_gone_outside_dwgk_takes_its_row_out_of_the_archive(make_app, tmp_path,
                                                                    monkeypatch):
    app = _sqlite_app(make_app, tmp_path / "site")
    _build_unit(app)
    with app.app_context():
        lost = db.session.scalars(select(text("stored_name")).select_from(text("attachment"))
                                  .where(text("original_name = '活动方案.docx'"))).one()

    def deleted_by_hand():
        with app.app_context():
            attachments.path_for(lost).unlink()

    _during_the_file_copy(monkeypatch, deleted_by_hand)
    result = _invoke(app, "create", str(tmp_path / "backups"))
    assert result.exit_code == 0, result.output
    assert "附件文件缺失" in result.output and "活动方案.docx" in result.output
    assert "已从备份中去掉" in result.output
    (archive,) = (tmp_path / "backups").glob("dwgk-backup-*.tar.gz")

    assert _invoke(app, "restore", str(archive), "--yes").exit_code == 0
    assert _every_row_has_its_file(app) == 2
