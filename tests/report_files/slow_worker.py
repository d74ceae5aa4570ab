"""`rq worker` whose report builds are slow the first time, for the test that kills a worker mid-job.

    python -m tests.report_files.slow_worker worker --url … QUEUE      (the arguments of `rq`)

The first build writes its process id (the work horse's) to SLOW_BUILD_PIDFILE and then sleeps
SLOW_BUILD_SECONDS before building; later builds, the pid file being there, build at once.
"""

import os
import sys
import time
from pathlib import Path

from rq.cli import main

import tracker.reports.downloads as downloads

_build_file = downloads.build_file


def _slow_build_file(*args, **kwargs):
    pidfile = Path(os.environ["SLOW_BUILD_PIDFILE"])
    if not pidfile.exists():
        pidfile.write_text(str(os.getpid()))
        time.sleep(float(os.environ.get("SLOW_BUILD_SECONDS", "120")))
    return _build_file(*args, **kwargs)


downloads.build_file = _slow_build_file

if __name__ == "__main__":
    sys.argv[0] = "rq"
    sys.exit(main())
