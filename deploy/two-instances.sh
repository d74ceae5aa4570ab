#!/bin/sh
# Example: two Mowakaba app servers on one host, one PostgreSQL, one Redis, one UPLOAD_DIR.
# Put deploy/nginx.conf (or any reverse proxy) in front. Run from the repository root; stop with Ctrl-C.
# Set SECRET_KEY, DATABASE_URL, REDIS_URL and UPLOAD_DIR in the environment first (same values for both).
set -eu
: "${SECRET_KEY:?set SECRET_KEY (the same for every instance, or sessions break between them)}"
: "${DATABASE_URL:?set DATABASE_URL (one PostgreSQL for every instance)}"
: "${REDIS_URL:?set REDIS_URL (login throttling shared by every instance)}"
: "${UPLOAD_DIR:?set UPLOAD_DIR (a directory every instance reads and writes, e.g. an NFS mount)}"
export MOWAKABA_ENV=production PROXY_COUNT="${PROXY_COUNT:-1}"
.venv/bin/flask --app wsgi db upgrade          # once, before starting; never at start-up
.venv/bin/gunicorn --workers 2 --bind 127.0.0.1:8001 --access-logfile - wsgi:app &
first=$!
.venv/bin/gunicorn --workers 2 --bind 127.0.0.1:8002 --access-logfile - wsgi:app &
second=$!
trap 'kill "$first" "$second"' INT TERM
wait
