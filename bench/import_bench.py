"""Import of a 10,000-row forum spreadsheet (fictional people) into a fresh database: wall time of the
preview, of a preview view from the rows kept at upload (what every page view and the confirmation cost
since issue 14: the file is not read again), of run_import + commit and of a re-import that changes nothing,
each set against pandas.read_excel of the same file, measured in the same run. SQLite in a temp dir, or the
database of DATABASE_URL (wiped)."""

import argparse
import datetime as dt
import os
import tempfile
import time
from pathlib import Path

import openpyxl
import pandas
import sqlalchemy as sa
from flask_migrate import upgrade

from config import DevelopmentConfig
from tracker import create_app
from tracker.cohorts.models import Cohort
from tracker.extensions import db
from tracker.imports import parsed, services
from tracker.imports.reader import read_sheet

ROWS = int(os.environ.get("BENCH_ROWS", "10000"))
HEADERS = ["N° projet", "Nom du projet", "Secteur", "Sous-secteur", "Résumé", "Stade", "Forme juridique", "Province",
           "Commune", "Nom complet", "Sexe", "Date de naissance", "Rôle", "Porteur principal", "Part du capital (%)",
           "Téléphone", "E-mail", "Date de consentement"]
FIRST_NAMES = ["Salma", "Youssef", "Khadija", "Anas", "Imane", "Hamza", "Nora", "Mehdi", "Siham", "Reda", "Hajar",
               "Ilyas", "Zineb", "Amine", "Fatima Zahra", "Said", "سلمى", "يوسف"]
LAST_NAMES = ["Idrissi", "Chakir", "Lamrani", "Ouardi", "Bakkali", "Tazi", "Alaoui", "Naciri", "El Fassi", "Fikri",
              "Amzil", "Sbai", "العمراني", "بنعلي"]
SECTORS = ["Numérique", "Technologies numériques", "Agriculture moderne", "Agriculture", "Formation et services",
           "Formation & services", "Produits du terroir", "Textile", "Artisanat"]
STAGES = ["Idée", "Pré-création", "Création", "Démarrage", "Développement"]
LEGAL_FORMS = ["Coopérative", "SARL", "SARLAU", "Auto-entrepreneur", "Association", "Non constituée"]
COMMUNES = ["Safi", "Sebt Gzoula", "Jamaat Shaim", "Had Hrara", "Bouguedra", "Ayir", "Lamaachate", "Sidi Aissa"]
ROLES = ["Porteuse de projet", "Associé", "Co-fondatrice", "Chargé de production", "Responsable commerciale"]


def _phone(n: int):
    number = f"{6 + n % 2}{n % 100_000_000:08d}"  # 9 national digits starting 6 or 7
    forms = [f"0{number}", f"+212 {number[0]} {number[1:3]} {number[3:5]} {number[5:7]} {number[7:]}",
             int(f"212{number}"), f"00212{number}", None]
    return forms[n % len(forms)]


def _birth(n: int):
    born = dt.date(1965, 1, 1) + dt.timedelta(days=(n * 37) % 16_000)
    return [born, born.strftime("%d/%m/%Y"), born.isoformat(), None][n % 4]


def generate(path: Path, rows: int) -> int:
    """A forum-like sheet: 1 to 5 members per project, one lead, shares ≤ 100; returns the number of projects."""
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("Projets")
    sheet.append(HEADERS)
    written = project = 0
    while written < rows:
        project += 1
        size = min(1 + project % 5, rows - written)
        name = f"Projet banc {project} {COMMUNES[project % len(COMMUNES)]}"
        fields = [f"B{project:05d}", name, SECTORS[project % len(SECTORS)], "Sous-secteur", "Résumé fictif.",
                  STAGES[project % len(STAGES)], LEGAL_FORMS[project % len(LEGAL_FORMS)], "Safi",
                  COMMUNES[project % len(COMMUNES)]]
        for member in range(size):
            n = written + member
            first, last = FIRST_NAMES[n % len(FIRST_NAMES)], LAST_NAMES[(n // 3) % len(LAST_NAMES)]
            share = 50 if member == 0 else (f"{50 / (size - 1):.2f}%" if n % 3 else None)
            sheet.append(fields + [
                f"{first} {last} {n}", ["F", "H", "Femme", "Homme", None][n % 5], _birth(n),
                ROLES[min(member, len(ROLES) - 1)], "Oui" if member == 0 else ["Non", None][n % 2], share,
                _phone(n), f"membre.{n}@example.org" if n % 3 else None, dt.date(2025, 5, 1 + n % 28),
            ])
        written += size
    workbook.save(path)
    return project


def timed(function):
    start = time.perf_counter()
    result = function()
    return result, time.perf_counter() - start


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description="Import of a generated forum spreadsheet.")
    parser.add_argument("--smoke", action="store_true", help="60 rows on SQLite, nothing written to RESULTS.md")
    args = parser.parse_args(argv)
    rows_wanted = 60 if args.smoke else ROWS
    if args.smoke:
        os.environ.pop("DATABASE_URL", None)
    folder = Path(tempfile.mkdtemp())
    path = folder / "bench_import.xlsx"
    projects = generate(path, rows_wanted)
    data = path.read_bytes()
    overrides = {"MAX_CONTENT_LENGTH": 50 * 1024 * 1024}
    if not os.environ.get("DATABASE_URL"):  # else the config has it, normalised to the psycopg 3 driver
        overrides["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{folder / 'bench.sqlite'}"
    app = create_app(DevelopmentConfig, overrides)
    with app.app_context():
        db.drop_all()
        with db.engine.begin() as conn:
            conn.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))  # or upgrade() would see head, build nothing
        upgrade()
        cohort = Cohort(slug="bench-import", name="Bench import")
        db.session.add(cohort)
        db.session.commit()

        frame, pandas_s = timed(lambda: pandas.read_excel(path, sheet_name=0, engine="openpyxl"))
        assert len(frame) == rows_wanted
        sheet, read_s = timed(lambda: read_sheet(data, path.name))
        preview, preview_s = timed(lambda: services.preview_import(cohort, data, path.name))
        assert not preview.issues, [(i.lines, i.code) for i in preview.issues[:5]]
        kept = parsed.to_json(sheet)  # what the upload stores beside the file
        _, kept_s = timed(lambda: services.preview_import(cohort, None, path.name, sheet=parsed.from_json(kept),
                                                          sha256=preview.sha256))
        statements = []

        def count(*args):
            statements.append(args[2])

        sa.event.listen(db.engine, "before_cursor_execute", count)

        def import_and_commit():
            result = services.run_import(None, cohort, data, path.name, skip_invalid=False)
            db.session.commit()
            return result

        done, import_s = timed(import_and_commit)
        first_statements = len(statements)
        statements.clear()
        again, reimport_s = timed(import_and_commit)
        sa.event.remove(db.engine, "before_cursor_execute", count)

        lines = [f"file: {rows_wanted} rows, {projects} projects, {len(data) / 1024 / 1024:.1f} MB; "
                 f"created {done.summary.projects_created} projects, {done.summary.members_created} members; "
                 f"re-import unchanged: {again.summary.projects_unchanged} projects, "
                 f"{again.summary.members_unchanged} members", "",
                 "| step | seconds | ÷ pandas.read_excel | SQL statements |", "| --- | ---: | ---: | ---: |"]
        rows = [
            ("pandas.read_excel (openpyxl)", pandas_s, None),
            ("reader only (read_sheet)", read_s, None),
            ("preview_import", preview_s, None),
            ("preview view from the kept rows (no re-read)", kept_s, None),
            ("run_import + commit (new cohort)", import_s, first_statements),
            ("run_import + commit (unchanged)", reimport_s, len(statements)),
        ]
        for label, seconds, count in rows:
            lines.append(f"| {label} | {seconds:.2f} | {seconds / pandas_s:.2f} | {'' if count is None else count} |")
    from bench import common  # here: common imports the app too

    common.record("Import of a forum spreadsheet (bench/import_bench.py)", app, lines, args.smoke)


if __name__ == "__main__":
    main()
