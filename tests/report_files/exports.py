"""A ready export of the cohort report (a record and its file under UPLOAD_DIR/exports), for the permission
matrix and the fuzz walk, which need a real one."""

from tracker.reports import export_jobs


def ready_export(user, fmt: str = "xlsx") -> str:
    record = export_jobs.create(user.id, fmt, {}, "fr", None)
    export_jobs.file_path(record).write_bytes(b"PK fictional workbook")
    record.update(status=export_jobs.READY, download_name=f"mowakaba-programme.{fmt}", size=21,
                  audit={"entity_id": None, "details": {"filters": {"cohorts": []}}})
    export_jobs._save(record)
    return record["token"]
