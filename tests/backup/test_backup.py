"""`flask backup create` / `flask backup restore` on the suite's own backend (SQLite, or PostgreSQL when
TEST_DATABASE_URL_ACTIVE is set): the demo goes through a backup, a wipe and a restore and comes back
identical: the row count of every table, the cohort report JSON and the bytes of every uploaded file.

The demo is loaded once per module into a scratch database (tests/backup/scratch.py), never into the
test's rolled-back transaction: a backup is about committed data.
"""

import datetime as dt
import io
import json
import os
import tarfile

import pytest
import sqlalchemy as sa

from tests.backup import scratch
from tracker.backup import services
from tracker.backup.cli import MIGRATIONS_DIR
from tracker.cohorts.services import get_by_slug
from tracker.demo import data as demo_data
from tracker.extensions import db
from tracker.reports.services import report_json

EVIDENCE = "evidence/2026/01/0123456789abcdef0123456789abcdef.pdf"
EVIDENCE_BYTES = b"%PDF-1.4\n" + bytes(range(256)) * 40 + b"\n%%EOF\n"
TODAY = dt.date.today()


def _report(app) -> str:
    with scratch.using(app):
        return report_json([get_by_slug(demo_data.COHORT["slug"]).id], None, None, today=TODAY)


def _invoke(app, *args, input=None):
    with scratch.using(app):
        return app.test_cli_runner().invoke(args=["backup", *map(str, args)], input=input)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """A scratch database with the demo and one more evidence file; its backup; what they held."""
    tmp = tmp_path_factory.mktemp("backup")
    uploads = tmp / "uploads"
    with scratch.scratch_database(tmp) as url:
        app = scratch.make_app(url, uploads)
        scratch.migrate(app)
        with scratch.using(app):
            result = app.test_cli_runner().invoke(args=["demo", "load", "--password", "demo-password-1"])
        assert result.exit_code == 0, result.output
        (uploads / EVIDENCE).parent.mkdir(parents=True)
        (uploads / EVIDENCE).write_bytes(EVIDENCE_BYTES)
        archive = tmp / "demo-backup.tar.gz"
        created = _invoke(app, "create", archive)
        assert created.exit_code == 0, created.output
        yield {
            "app": app, "uploads": uploads, "archive": archive, "tmp": tmp, "output": created.output,
            "counts": scratch.row_counts(app), "report": _report(app), "files": scratch.files(uploads),
        }
        with scratch.using(app):
            db.engine.dispose()


def _manifest(archive):
    with tarfile.open(archive) as tar:
        return json.loads(tar.extractfile("manifest.json").read())


def _rewrite(archive, target, manifest=None, replace=None):
    """A copy of `archive` with another manifest and/or one member's bytes replaced."""
    with tarfile.open(archive) as src, tarfile.open(target, "w:gz") as dst:
        for member in src:
            payload = src.extractfile(member).read()
            if member.name == "manifest.json" and manifest is not None:
                payload = json.dumps(manifest).encode()
            elif replace and member.name == replace[0]:
                payload = replace[1]
            member.size = len(payload)
            dst.addfile(member, io.BytesIO(payload))
    return target


def test_demo_round_trip(demo):
    """Backup → wipe every table and file → restore: the same database and files as before."""
    app, uploads = demo["app"], demo["uploads"]
    assert demo["counts"]["projects"] == 32 and demo["counts"]["attachments"] > 0
    assert EVIDENCE in demo["files"] and len(demo["files"]) > 1  # the demo's own evidence files too

    scratch.wipe(app, uploads)
    assert scratch.row_counts(app) == {} and not uploads.exists()

    result = _invoke(app, "restore", demo["archive"], "--yes")
    assert result.exit_code == 0, result.output
    assert "counts verified" in result.output

    assert scratch.row_counts(app) == demo["counts"]
    assert _report(app) == demo["report"]
    assert scratch.files(uploads) == demo["files"]


def test_restore_over_changed_data_brings_back_the_backup(demo):
    """Rows added and removed, a file changed and one added after the backup: the restore undoes the rows
    and the changed file; the extra file is left (and counted)."""
    app, uploads = demo["app"], demo["uploads"]
    with scratch.using(app):
        with db.engine.begin() as conn:
            conn.execute(sa.text("DELETE FROM action_items"))
            conn.execute(sa.text("UPDATE projects SET name = 'Changé après la sauvegarde'"))
        db.engine.dispose()
    (uploads / EVIDENCE).write_bytes(b"overwritten")
    (uploads / "evidence" / "later.pdf").write_bytes(b"%PDF-1.4 later")
    assert scratch.row_counts(app)["action_items"] == 0

    result = _invoke(app, "restore", demo["archive"], "--yes")
    assert result.exit_code == 0, result.output
    assert "1 other files under UPLOAD_DIR left in place" in result.output

    assert scratch.row_counts(app) == demo["counts"]
    assert _report(app) == demo["report"]
    restored = scratch.files(uploads)
    assert restored.pop("evidence/later.pdf") == b"%PDF-1.4 later"
    assert restored == demo["files"]
    (uploads / "evidence" / "later.pdf").unlink()


def test_manifest_lists_revision_counts_and_checksums(demo):
    manifest = _manifest(demo["archive"])
    heads, _ = services.code_revisions(MIGRATIONS_DIR)
    assert manifest["format"] == "mowakaba-backup"
    assert manifest["backend"] == scratch.backend_name()
    assert {manifest["alembic_revision"]} == heads
    assert manifest["tables"] == demo["counts"]
    assert dt.datetime.fromisoformat(manifest["created_at"]).tzinfo is not None
    with tarfile.open(demo["archive"]) as tar:
        names = set(tar.getnames())
        evidence = tar.extractfile("uploads/" + EVIDENCE).read()
    assert names == {"manifest.json", *manifest["files"]}
    assert manifest["files"]["uploads/" + EVIDENCE]["size"] == len(EVIDENCE_BYTES) == len(evidence)
    assert os.stat(demo["archive"]).st_mode & 0o077 == 0  # personal data: readable by its owner only
    assert f"{len(demo['counts'])} tables" in demo["output"]


def test_backup_is_consistent_while_another_transaction_writes(demo, tmp_path):
    """An uncommitted change in another connection (the app at work) is not in the backup."""
    app = demo["app"]
    with scratch.using(app):
        engine = sa.create_engine(db.engine.url, poolclass=sa.pool.NullPool)
        db.engine.dispose()
    with engine.connect() as writer:
        writer.begin()
        writer.execute(sa.text("DELETE FROM action_items"))
        result = _invoke(app, "create", tmp_path / "during.tar.gz")
        writer.rollback()
    engine.dispose()
    assert result.exit_code == 0, result.output
    assert _manifest(tmp_path / "during.tar.gz")["tables"] == demo["counts"]


def test_create_refuses_an_existing_file(demo, tmp_path):
    existing = tmp_path / "there.tar.gz"
    existing.write_bytes(b"keep me")
    result = _invoke(demo["app"], "create", existing)
    assert result.exit_code == 1
    assert "already exists" in result.output
    assert existing.read_bytes() == b"keep me"


def test_restore_asks_for_confirmation(demo):
    app = demo["app"]
    with scratch.using(app):
        with db.engine.begin() as conn:
            conn.execute(sa.text("DELETE FROM reminders"))
            conn.execute(sa.text("DELETE FROM action_items"))
        db.engine.dispose()
    before = scratch.row_counts(app)

    result = _invoke(app, "restore", demo["archive"], input="n\n")
    assert result.exit_code == 1
    assert "[y/N]" in result.output and "nothing was changed" in result.output
    assert scratch.row_counts(app) == before

    result = _invoke(app, "restore", demo["archive"], input="y\n")
    assert result.exit_code == 0, result.output
    assert scratch.row_counts(app) == demo["counts"]


def test_damaged_archive_is_refused_before_anything_changes(demo, tmp_path):
    app = demo["app"]
    damaged = _rewrite(demo["archive"], tmp_path / "damaged.tar.gz", replace=("uploads/" + EVIDENCE, b"x" * 10))
    with scratch.using(app):
        with db.engine.begin() as conn:
            conn.execute(sa.text("DELETE FROM action_items"))
        db.engine.dispose()
    before = scratch.row_counts(app)

    result = _invoke(app, "restore", damaged, "--yes")
    assert result.exit_code == 1
    assert "does not match its checksum" in result.output
    assert scratch.row_counts(app) == before

    not_a_backup = tmp_path / "random.tar.gz"
    not_a_backup.write_bytes(os.urandom(2048))
    result = _invoke(app, "restore", not_a_backup, "--yes")
    assert result.exit_code == 1 and "not a Mowakaba backup" in result.output
    result = _invoke(app, "restore", tmp_path / "missing.tar.gz", "--yes")
    assert result.exit_code == 1 and "does not exist" in result.output
    assert scratch.row_counts(app) == before
    assert _invoke(app, "restore", demo["archive"], "--yes").exit_code == 0


def test_revision_rules(demo, tmp_path):
    """Same revision: restored. Older (known) revision: refused unless --force. Unknown: always refused."""
    app = demo["app"]
    manifest = _manifest(demo["archive"])
    heads, known = services.code_revisions(MIGRATIONS_DIR)
    older = sorted(known - heads)[0]

    old = _rewrite(demo["archive"], tmp_path / "old.tar.gz", manifest={**manifest, "alembic_revision": older})
    result = _invoke(app, "restore", old, "--yes")
    assert result.exit_code == 1
    assert f"schema revision {older}, older than" in result.output and "--force" in result.output

    unknown = _rewrite(demo["archive"], tmp_path / "new.tar.gz",
                       manifest={**manifest, "alembic_revision": "ffffffffffff"})
    result = _invoke(app, "restore", unknown, "--yes", "--force")
    assert result.exit_code == 1 and "does not know" in result.output

    url = sa.make_url("sqlite:////nowhere.sqlite" if manifest["backend"] == "postgresql"
                      else "postgresql+psycopg://u@h/db")
    with pytest.raises(services.BackupError, match="same backend"):
        services.check_compatible(manifest, url, MIGRATIONS_DIR)

    # --force on the older revision goes through (the manifest's counts are the real ones) and warns.
    result = _invoke(app, "restore", old, "--yes", "--force")
    assert result.exit_code == 0, result.output
    assert "flask db upgrade" in result.output
    assert scratch.row_counts(app) == demo["counts"]


def test_missing_postgresql_programs_are_named(monkeypatch, tmp_path):
    monkeypatch.setattr(services.shutil, "which", lambda *args, **kwargs: None)
    url = sa.make_url("postgresql+psycopg://user:secret@127.0.0.1:5432/somewhere")
    with pytest.raises(services.BackupError, match="pg_dump was not found.*postgresql-client"):
        services.create_backup(tmp_path / "b.tar.gz", url, tmp_path)
    assert not (tmp_path / "b.tar.gz").exists()
    with pytest.raises(services.BackupError, match="pg_restore was not found"):
        services.pg_binary("pg_restore")


def test_connection_settings_go_through_libpq_variables():
    url = sa.make_url("postgresql+psycopg://mowa:s3cret@db.internal:6543/prod?sslmode=require")
    env = services._pg_env(url)
    assert (env["PGHOST"], env["PGPORT"], env["PGUSER"], env["PGPASSWORD"], env["PGDATABASE"], env["PGSSLMODE"]) \
        == ("db.internal", "6543", "mowa", "s3cret", "prod", "require")


def test_in_memory_sqlite_is_refused(tmp_path):
    with pytest.raises(services.BackupError, match="must be a file"):
        services.create_backup(tmp_path / "b.tar.gz", sa.make_url("sqlite:///:memory:"), tmp_path)
