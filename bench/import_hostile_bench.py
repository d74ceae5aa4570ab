"""Files that cost more than they hold (issue 14): how long the import takes to refuse or bound them, and how
much memory the process needs meanwhile.

- a 20 MB CSV made mostly of `;` lines (the forum sample, then separator-only lines up to 20 MB);
- a 7.5 MB XLSX of blank rows (the sample, then rows of 18 styled empty cells: what "format the whole
  sheet" leaves behind), which openpyxl would parse for about a minute;
- the largest blank-row XLSX the cell scan lets through (MAX_CELLS), read up to the row limit.

Each file is read in a fresh Python process that first builds the app (so its memory counts what a server
worker holds), then runs what the upload view runs (read_sheet, then the header check), and reports the
parse time, the resident memory before, and the peak resident memory (VmHWM). Nothing touches a database.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

SAMPLE_CSV = Path(__file__).resolve().parents[2] / "shared" / "data" / "forum_cohort_sample.csv"
SAMPLE_XLSX = SAMPLE_CSV.with_suffix(".xlsx")
TIME_GOAL_S, MEMORY_GOAL_MB = 5.0, 300


def hostile_csv(path: Path, size: int) -> None:
    head = SAMPLE_CSV.read_bytes()
    line = b";" * 17 + b"\r\n"
    with path.open("wb") as out:
        out.write(head)
        out.write(line * max(0, (size - len(head)) // len(line)))


def blank_rows_xlsx(path: Path, blank_rows: int) -> None:
    """The sample sheet with `blank_rows` rows of 18 styled empty cells after its data, and no <dimension>;
    the sheet part is streamed into the zip (the generator stays small: its memory is not what is measured)."""
    from openpyxl.utils import get_column_letter

    columns = [get_column_letter(i) for i in range(1, 19)]
    with zipfile.ZipFile(SAMPLE_XLSX) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if not info.filename.startswith("xl/worksheets/sheet"):
                target.writestr(info, data)
                continue
            text = data.decode("utf-8")
            if "<dimension" in text:
                start = text.index("<dimension")
                text = text[:start] + text[text.index("/>", start) + 2:]
            head, tail = text.split("</sheetData>")
            first = head.count("<row ") + 1
            with target.open(info.filename, "w", force_zip64=True) as out:
                out.write(head.encode("utf-8"))
                for row in range(first, first + blank_rows):
                    cells = "".join(f'<c r="{c}{row}" s="0"/>' for c in columns)
                    out.write(f'<row r="{row}">{cells}</row>'.encode())
                out.write(("</sheetData>" + tail).encode("utf-8"))


def _status_mb(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def measure(path: str) -> dict:
    """In this (fresh) process: the app, then what the upload view does with the file."""
    from config import TestingConfig
    from tracker import create_app
    from tracker.imports.columns import map_headers
    from tracker.imports.reader import ImportFileError, read_sheet

    app = create_app(TestingConfig, {"SQLALCHEMY_DATABASE_URI": "sqlite://", "MAX_CONTENT_LENGTH": 21 * 1024 * 1024})
    data = Path(path).read_bytes()
    with app.app_context(), app.test_request_context():
        before = _status_mb("VmRSS")
        start, cpu = time.perf_counter(), time.process_time()
        try:
            sheet = read_sheet(data, Path(path).name)
            map_headers(sheet.headers)
            outcome = f"accepted, {len(sheet.rows)} data rows"
        except ImportFileError as error:
            outcome = "refused: " + str(error.message)[:90] + "…"
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    # VmHWM: this process's peak since exec (ru_maxrss would also count the parent's pages at fork time)
    peak = _status_mb("VmHWM")
    return {"seconds": seconds, "cpu": cpu, "rss_before_mb": before, "peak_mb": peak, "outcome": outcome}


def run_case(path: Path) -> dict:
    result = subprocess.run([sys.executable, "-m", "bench.import_hostile_bench", "--measure", str(path)],
                            cwd=Path(__file__).resolve().parent.parent, capture_output=True, text=True, check=True,
                            timeout=600)
    return json.loads(result.stdout.strip().splitlines()[-1])


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description="Hostile import files: parse time and peak memory.")
    parser.add_argument("--smoke", action="store_true", help="small files, nothing written to RESULTS.md")
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure:
        print(json.dumps(measure(args.measure)))
        return
    from tracker.imports import reader

    folder = Path(tempfile.mkdtemp(prefix="mowakaba-hostile-"))
    cases = []
    csv_path = folder / "hostile.csv"
    hostile_csv(csv_path, 200_000 if args.smoke else 20 * 1024 * 1024)
    cases.append((f"CSV, mostly `;` lines ({csv_path.stat().st_size / 1e6:.1f} MB)", csv_path))
    big = folder / "blank-rows.xlsx"
    blank_rows_xlsx(big, 2_000 if args.smoke else 220_000)
    cases.append((f"XLSX of blank rows ({big.stat().st_size / 1e6:.1f} MB, 18 styled cells a row)", big))
    bounded = folder / "blank-rows-at-the-cell-limit.xlsx"
    rows = 1_000 if args.smoke else reader.MAX_CELLS // 18 - 100
    blank_rows_xlsx(bounded, rows)
    cases.append((f"XLSX of {rows:,} blank rows, under the cell limit ({bounded.stat().st_size / 1e6:.1f} MB)",
                  bounded))

    lines = [f"limits: {reader.MAX_ROWS:,} rows after the header (blank ones count), {reader.MAX_CELLS:,} XLSX "
             f"cells, {reader.MAX_LINE_CHARS // 1024:,} KiB per CSV line; goals: under {TIME_GOAL_S:.0f} s of "
             f"parsing (CPU time: the machine is shared, wall time is given too), under {MEMORY_GOAL_MB} MB; "
             f"load average at start {os.getloadavg()[0]:.1f}", "",
             "| file | outcome | parse CPU s | parse wall s | RSS before MB | peak RSS MB |",
             "| --- | --- | ---: | ---: | ---: | ---: |"]
    worst_time = worst_memory = 0.0
    for label, path in cases:
        figures = run_case(path)
        worst_time, worst_memory = max(worst_time, figures["cpu"]), max(worst_memory, figures["peak_mb"])
        lines.append(f"| {label} | {figures['outcome']} | {figures['cpu']:.2f} | {figures['seconds']:.2f} | "
                     f"{figures['rss_before_mb']:.0f} | {figures['peak_mb']:.0f} |")
    verdict = "met" if worst_time < TIME_GOAL_S and worst_memory < MEMORY_GOAL_MB else "NOT met"
    lines += ["", f"worst: {worst_time:.2f} s of CPU, {worst_memory:.0f} MB peak — goals {verdict}"]
    for _, path in cases:
        path.unlink(missing_ok=True)
    folder.rmdir()

    from bench import common
    from config import TestingConfig
    from tracker import create_app

    app = create_app(TestingConfig, {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}.sqlite"})
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
    common.record("Hostile import files (bench/import_hostile_bench.py)", app, lines, args.smoke)
    Path(f"{folder}.sqlite").unlink(missing_ok=True)
    if verdict != "met" and not args.smoke:
        raise SystemExit(1)


if __name__ == "__main__":
    os.environ.pop("DATABASE_URL", None)
    main()
