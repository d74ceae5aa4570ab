"""One archive holds everything needed to rebuild the service: the database and the files under UPLOAD_DIR.

Layout of the archive (a gzip-compressed tar, created with mode 0600 since it holds personal data):
- `manifest.json`      format, backend, Alembic revision, creation time, row count of every table, and the
                       sha256 and size of every other member;
- `database.sqlite`    SQLite: a copy made with sqlite3's online backup API, consistent even while the
                       app writes (pages are copied under a read lock, restarted if a writer interferes);
- `database.dump`      PostgreSQL: `pg_dump --format=custom`, run on a snapshot exported by a REPEATABLE READ
                       transaction that also counts the rows, so the manifest and the dump see the same data;
- `uploads/<path>`     every regular file under UPLOAD_DIR (evidence files, pending import files).

Restoring checks everything before touching anything: the manifest, every member's checksum, the backend,
and the Alembic revision. The revision must be the code's own; an older revision known to the code is
restored only when forced (the operator then runs `flask db upgrade`); a revision the code does not know
(a backup from a newer release) is always refused, since no migration can bring it back to this code.
Then the database is replaced (SQLite: the backup API copies the pages into the live file; PostgreSQL:
`pg_restore --clean --if-exists --no-owner --single-transaction`, so a failure leaves the database as it
was), the restored row counts are compared with the manifest, and finally the files are written back
(each through a temporary file and an atomic rename). Files under UPLOAD_DIR that the backup does not
hold are left in place and counted.

Nothing here reads the request or the app config: the command passes the database URL and the folders.
Messages are English, like every command's output.
"""

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess  # nosec B404  # pg_dump/pg_restore, run with an argument list, never through a shell
import tarfile
import tempfile
import zlib
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import sqlalchemy as sa
from alembic.config import Config as AlembicConfig
from alembic.script import ScriptDirectory
from sqlalchemy.pool import NullPool

FORMAT = "mowakaba-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
UPLOADS_PREFIX = "uploads/"
DB_MEMBERS = {"sqlite": "database.sqlite", "postgresql": "database.dump"}
CHUNK = 1024 * 1024
TRANSIENT_FOLDERS = {"form-tokens"}  # double-submit claims (tracker/core/forms.py): not worth keeping
PG_LOCK_TIMEOUT = "60s"  # a restore waits this long for running app servers to release their locks
# Connection settings that may sit in the URL's query string, passed to libpq through its variables.
_PG_QUERY_ENV = {
    "host": "PGHOST", "port": "PGPORT", "sslmode": "PGSSLMODE", "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT", "sslkey": "PGSSLKEY", "connect_timeout": "PGCONNECT_TIMEOUT",
    "application_name": "PGAPPNAME", "passfile": "PGPASSFILE", "service": "PGSERVICE",
}


class BackupError(Exception):
    """A backup cannot be made or restored; the message says why, and nothing was changed."""


@dataclass
class RestoreResult:
    manifest: dict
    files_written: int = 0
    files_unchanged: int = 0
    files_not_in_backup: int = 0
    dropped_tables: list[str] = field(default_factory=list)


# ----------------------------------------------------------------------------------------------- helpers


def backend_of(url: sa.URL) -> str:
    """"sqlite" or "postgresql"; raises BackupError for any other database."""
    name = url.get_backend_name()
    if name not in DB_MEMBERS:
        raise BackupError(f"backups support SQLite and PostgreSQL, not {name}.")
    return name


def code_revisions(migrations_dir: Path) -> tuple[set[str], set[str]]:
    """(heads, every revision) of the migrations shipped with this code."""
    config = AlembicConfig()
    config.set_main_option("script_location", str(migrations_dir))
    script = ScriptDirectory.from_config(config)
    return set(script.get_heads()), {rev.revision for rev in script.walk_revisions()}


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _row_counts(conn: sa.Connection) -> dict[str, int]:
    names = sorted(sa.inspect(conn).get_table_names())
    return {name: conn.execute(sa.select(sa.func.count()).select_from(sa.table(name))).scalar_one()
            for name in names}


def _revision(conn: sa.Connection) -> str | None:
    if not sa.inspect(conn).has_table("alembic_version"):
        return None
    rows = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalars().all()
    return ",".join(sorted(rows)) or None


def _sqlite_file(url: sa.URL) -> Path:
    if not url.database or url.database == ":memory:" or url.database.startswith("file:"):
        raise BackupError("the SQLite database must be a file (DATABASE_URL=sqlite:////path/to/file.sqlite).")
    return Path(url.database).resolve()


def _upload_files(upload_dir: Path) -> list[Path]:
    if not upload_dir.is_dir():
        return []
    return sorted(p for p in upload_dir.rglob("*") if p.is_file() and not p.is_symlink()
                  and p.relative_to(upload_dir).parts[0] not in TRANSIENT_FOLDERS)


# ------------------------------------------------------------------------------------------- PostgreSQL


def pg_binary(name: str) -> str:
    """The path of pg_dump / pg_restore; PG_BIN_DIR (if set) is searched before PATH.

    Raises BackupError when the program is found in neither."""
    bin_dir = os.environ.get("PG_BIN_DIR")
    path = shutil.which(name, path=bin_dir) if bin_dir else None
    path = path or shutil.which(name)
    if path is None:
        raise BackupError(
            f"{name} was not found. Install the PostgreSQL client programs (Debian/Ubuntu: "
            f"apt-get install postgresql-client, of the server's major version or newer) or set PG_BIN_DIR "
            f"to the folder that holds them."
        )
    return path


def _pg_env(url: sa.URL) -> dict[str, str]:
    """Connection settings through libpq's variables: the password never shows in the process list."""
    env = dict(os.environ)
    for key, name in _PG_QUERY_ENV.items():
        value = url.query.get(key)
        if value:
            env[name] = value if isinstance(value, str) else value[0]
    for name, value in (("PGHOST", url.host), ("PGPORT", url.port), ("PGUSER", url.username),
                        ("PGPASSWORD", url.password), ("PGDATABASE", url.database)):
        if value:
            env[name] = str(value)
    return env


def _run(args: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(args, env=env, capture_output=True, text=True, check=False)  # nosec B603
    if result.returncode != 0:
        detail = " ".join(result.stderr.strip().splitlines()[-5:]) or f"exit status {result.returncode}"
        raise BackupError(f"{Path(args[0]).name} failed: {detail}")


def _pg_engine(url: sa.URL) -> sa.Engine:
    return sa.create_engine(url, poolclass=NullPool)


def _dump_postgresql(url: sa.URL, target: Path) -> tuple[dict[str, int], str | None, str]:
    pg_dump = pg_binary("pg_dump")
    engine = _pg_engine(url)
    try:
        with engine.connect() as conn:
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                conn.exec_driver_sql("SET TRANSACTION READ ONLY")
                snapshot = conn.exec_driver_sql("SELECT pg_export_snapshot()").scalar_one()
                counts, revision = _row_counts(conn), _revision(conn)
                server = conn.exec_driver_sql("SHOW server_version").scalar_one()
                # The snapshot lives as long as this transaction: pg_dump must run inside it.
                _run([pg_dump, "--format=custom", f"--snapshot={snapshot}", f"--file={target}"], _pg_env(url))
    except sa.exc.OperationalError as error:
        raise BackupError(f"cannot connect to the database: {getattr(error, 'orig', error)}") from None
    finally:
        engine.dispose()
    return counts, revision, server


def _restore_postgresql(url: sa.URL, dump: Path, expected_tables: set[str]) -> list[str]:
    pg_restore = pg_binary("pg_restore")
    env = _pg_env(url)
    env["PGOPTIONS"] = f"{env.get('PGOPTIONS', '')} -c lock_timeout={PG_LOCK_TIMEOUT}".strip()
    _run([pg_restore, "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
          "--exit-on-error", f"--dbname={url.database}", str(dump)], env)
    # Tables that a newer schema added and the (older, forced) backup lacks would stop `flask db upgrade`.
    engine = _pg_engine(url)
    try:
        with engine.begin() as conn:
            extra = sorted(set(sa.inspect(conn).get_table_names()) - expected_tables)
            for name in extra:
                conn.exec_driver_sql(f'DROP TABLE IF EXISTS "{name}" CASCADE')
    finally:
        engine.dispose()
    return extra


# ----------------------------------------------------------------------------------------------- SQLite


def _copy_sqlite(source: Path, target: Path) -> None:
    """The online backup API: a consistent copy whatever other connections are doing."""
    src = sqlite3.connect(source.as_uri() + "?mode=ro", uri=True, timeout=30)
    dst = sqlite3.connect(target, timeout=30)
    try:
        with dst:
            src.backup(dst)
    except sqlite3.Error as error:
        raise BackupError(f"cannot copy the SQLite database {source}: {error}") from None
    finally:
        src.close()
        dst.close()


def _dump_sqlite(url: sa.URL, target: Path) -> tuple[dict[str, int], str | None, str]:
    source = _sqlite_file(url)
    if not source.is_file():
        raise BackupError(f"the SQLite database {source} does not exist.")
    _copy_sqlite(source, target)
    engine = sa.create_engine(f"sqlite:///{target}", poolclass=NullPool)
    try:
        with engine.connect() as conn:
            return _row_counts(conn), _revision(conn), sqlite3.sqlite_version
    finally:
        engine.dispose()


def _restore_sqlite(url: sa.URL, copy: Path) -> list[str]:
    target = _sqlite_file(url)
    target.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(copy.as_uri() + "?mode=ro", uri=True, timeout=30)
    dst = sqlite3.connect(target, timeout=30)
    try:
        src.backup(dst)  # replaces every page of the live file, schema included: an exact copy
    except sqlite3.Error as error:
        raise BackupError(f"cannot write the SQLite database {target}: {error}") from None
    finally:
        src.close()
        dst.close()
    return []


# --------------------------------------------------------------------------------------------- create


def create_backup(target: Path, url: sa.URL, upload_dir: Path) -> dict:
    """Writes the archive at `target` (refused if it exists) and returns its manifest.

    Raises BackupError when the database is neither SQLite nor PostgreSQL, when `target` exists or its folder
    does not, or when the database cannot be copied (SQLite file missing or unreadable; pg_dump missing,
    connection refused or pg_dump failing)."""
    backend = backend_of(url)
    target = Path(target)
    if target.exists():
        raise BackupError(f"{target} already exists; choose a new file name (e.g. with the date in it).")
    if not target.parent.is_dir():
        raise BackupError(f"the folder {target.parent} does not exist.")
    with tempfile.TemporaryDirectory(prefix="mowakaba-backup-") as work:
        db_member = DB_MEMBERS[backend]
        db_file = Path(work) / db_member
        dump = _dump_postgresql if backend == "postgresql" else _dump_sqlite
        counts, revision, server_version = dump(url, db_file)
        files = {db_member: {"sha256": _sha256_file(db_file), "size": db_file.stat().st_size}}
        uploads = _upload_files(upload_dir)
        for path in uploads:
            files[UPLOADS_PREFIX + path.relative_to(upload_dir).as_posix()] = {
                "sha256": _sha256_file(path), "size": path.stat().st_size}
        manifest = {
            "format": FORMAT, "format_version": FORMAT_VERSION,
            "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "backend": backend, "server_version": server_version, "alembic_revision": revision,
            "database_member": db_member, "tables": counts, "files": files,
        }
        _write_archive(target, manifest, db_file, upload_dir, uploads)
    return manifest


def _write_archive(target: Path, manifest: dict, db_file: Path, upload_dir: Path, uploads: list[Path]) -> None:
    fd, partial = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent)  # 0600
    try:
        with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
            data = json.dumps(manifest, indent=2, sort_keys=True).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime, info.mode = len(data), int(dt.datetime.now().timestamp()), 0o600
            tar.addfile(info, io.BytesIO(data))
            tar.add(db_file, arcname=manifest["database_member"], recursive=False)
            for path in uploads:
                arcname = UPLOADS_PREFIX + path.relative_to(upload_dir).as_posix()
                tar.add(path, arcname=arcname, recursive=False)
        os.replace(partial, target)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise


# -------------------------------------------------------------------------------------------- restore


def read_manifest(source: Path) -> dict:
    """The manifest of an archive, checked for shape (not yet for checksums).

    Raises BackupError when `source` does not exist, is not a readable archive with a manifest, or has an
    unknown manifest or backup format."""
    try:
        with tarfile.open(source, mode="r:gz") as tar:
            member = tar.getmember(MANIFEST)
            manifest = json.loads(tar.extractfile(member).read())
    except FileNotFoundError:
        raise BackupError(f"{source} does not exist.") from None
    except (tarfile.TarError, KeyError, OSError, ValueError, AttributeError):
        raise BackupError(f"{source} is not a Mowakaba backup (no readable {MANIFEST}).") from None
    required = ("backend", "alembic_revision", "database_member", "tables", "files", "created_at")
    if (not isinstance(manifest, dict) or manifest.get("format") != FORMAT
            or any(key not in manifest for key in required)):
        raise BackupError(f"{source} is not a Mowakaba backup (unknown manifest).")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(f"{source} has backup format {manifest.get('format_version')}; this code reads "
                          f"format {FORMAT_VERSION}.")
    if manifest["database_member"] not in manifest["files"]:
        raise BackupError(f"{source}: the manifest does not list the database.")
    return manifest


def check_compatible(manifest: dict, url: sa.URL, migrations_dir: Path, force: bool = False) -> str | None:
    """Raises BackupError when this backup cannot be restored here; returns a warning when forced."""
    backend = backend_of(url)
    if manifest["backend"] != backend:
        raise BackupError(f"this is a {manifest['backend']} backup; the configured database is {backend}. "
                          "Restore it on the same backend.")
    heads, known = code_revisions(migrations_dir)
    revision = manifest["alembic_revision"]
    if revision is not None and set(revision.split(",")) == heads:
        return None
    if revision is None or not set(revision.split(",")) <= known:
        raise BackupError(f"the backup is at schema revision {revision}, which this code does not know (it may "
                          "come from a newer release). Restore it with the release that made it.")
    if not force:
        raise BackupError(f"the backup is at schema revision {revision}, older than this code's "
                          f"{', '.join(sorted(heads))}. Restore it with --force, then run `flask db upgrade`.")
    return (f"the database is now at revision {revision}; run `flask db upgrade` before starting the app.")


def _safe_member_name(name: str) -> bool:
    path = PurePosixPath(name)
    return not path.is_absolute() and ".." not in path.parts and name == path.as_posix()


@contextmanager
def _extracted(source: Path, manifest: dict):
    """Every member written to a temporary folder and checked against the manifest; yields the folder."""
    expected = dict(manifest["files"])
    with tempfile.TemporaryDirectory(prefix="mowakaba-restore-") as work:
        root = Path(work)
        try:
            with tarfile.open(source, mode="r:gz") as tar:
                for member in tar:
                    if member.name == MANIFEST:
                        continue
                    if member.name not in expected or not member.isfile() or not _safe_member_name(member.name):
                        raise BackupError(f"{source}: unexpected member {member.name!r}; the archive was "
                                          "altered.")
                    digest, size = hashlib.sha256(), 0
                    out_path = root / member.name
                    out_path.parent.mkdir(parents=True, exist_ok=True)
                    with tar.extractfile(member) as src, out_path.open("wb") as out:
                        while chunk := src.read(CHUNK):
                            digest.update(chunk)
                            size += len(chunk)
                            out.write(chunk)
                    info = expected.pop(member.name)
                    if digest.hexdigest() != info["sha256"] or size != info["size"]:
                        raise BackupError(f"{source}: {member.name} does not match its checksum; the archive "
                                          "is damaged.")
        except (tarfile.TarError, EOFError, OSError, zlib.error) as error:
            raise BackupError(f"{source} cannot be read: {error}") from None
        if expected:
            raise BackupError(f"{source}: {len(expected)} member(s) listed in the manifest are missing, e.g. "
                              f"{sorted(expected)[0]}.")
        yield root


def restore_backup(source: Path, url: sa.URL, upload_dir: Path, migrations_dir: Path,
                   force: bool = False) -> RestoreResult:
    """Replaces the database and writes the upload files back. Everything is checked first.

    Raises BackupError when the archive is unreadable or does not fit here (`read_manifest`,
    `check_compatible`), when a checksum or a row count does not match, or when the restore itself fails."""
    manifest = read_manifest(source)
    check_compatible(manifest, url, migrations_dir, force)
    backend = manifest["backend"]
    result = RestoreResult(manifest=manifest)
    with _extracted(source, manifest) as root:
        db_file = root / manifest["database_member"]
        if backend == "postgresql":
            result.dropped_tables = _restore_postgresql(url, db_file, set(manifest["tables"]))
        else:
            result.dropped_tables = _restore_sqlite(url, db_file)
        _check_counts(url, manifest["tables"])
        _restore_files(root, manifest, upload_dir, result)
    return result


def _check_counts(url: sa.URL, expected: dict[str, int]) -> None:
    engine = sa.create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            found = _row_counts(conn)
    finally:
        engine.dispose()
    if found != expected:
        wrong = sorted(name for name in set(found) | set(expected) if found.get(name) != expected.get(name))
        raise BackupError(f"the restored database does not hold the rows the manifest lists (tables: "
                          f"{', '.join(wrong)}).")


def _restore_files(root: Path, manifest: dict, upload_dir: Path, result: RestoreResult) -> None:
    upload_dir.mkdir(parents=True, exist_ok=True)
    in_backup = set()
    for name, info in sorted(manifest["files"].items()):
        if not name.startswith(UPLOADS_PREFIX):
            continue
        relative = name[len(UPLOADS_PREFIX):]
        in_backup.add(relative)
        target = upload_dir / relative
        if target.is_file() and not target.is_symlink() and _sha256_file(target) == info["sha256"]:
            result.files_unchanged += 1
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, partial = tempfile.mkstemp(prefix=".restore-", dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as out, (root / name).open("rb") as src:
                shutil.copyfileobj(src, out, CHUNK)
            os.replace(partial, target)
        except BaseException:
            Path(partial).unlink(missing_ok=True)
            raise
        result.files_written += 1
    result.files_not_in_backup = sum(
        1 for path in _upload_files(upload_dir) if path.relative_to(upload_dir).as_posix() not in in_backup)
