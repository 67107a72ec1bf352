#!/usr/bin/env bash
# The shared deployment's tests on a fresh machine of this kind: PostgreSQL from Debian's
# packages (installed as root when absent), the `shared` extra from PyPI (dagster-postgres,
# psycopg2, s3fs, moto), then every test marked `shared`. The tests start their own Postgres
# cluster and moto S3 server on 127.0.0.1 (tests/shared_env.py) and stop them by pid; this
# script stops the Debian cluster that installing the package may have started, and nothing
# else. Usage: bash .ci/shared.sh   (about 7 minutes on 2 cores once installed)
set -euo pipefail
cd "$(dirname "$0")/.."
step() { echo; echo "=== $(date -u +%T) $*"; }

step "PostgreSQL server binaries"
if ! ls /usr/lib/postgresql/*/bin/initdb > /dev/null 2>&1; then
    if [ "$(id -u)" != 0 ]; then
        echo "PostgreSQL is not installed and this is not root: apt-get install -y postgresql"
        exit 1
    fi
    clusters_before=$(pg_lsclusters -h 2>/dev/null | awk '$4 == "online" {print $1 "/" $2}' || true)
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql > /dev/null
    # the package may start its default cluster; the tests use their own: stop what it started
    for cluster in $(pg_lsclusters -h 2>/dev/null | awk '$4 == "online" {print $1 "/" $2}'); do
        case " $clusters_before " in *" $cluster "*) ;; *)
            pg_ctlcluster "${cluster%/*}" "${cluster#*/}" stop || true ;; esac
    done
fi
ls -d /usr/lib/postgresql/*/bin | head -n 1

step "the project with its shared extra"
python3 -m venv .venv && .venv/bin/pip install -q '.[dev,shared]'

step "the shared deployment's tests (real Postgres and moto on 127.0.0.1, the real daemon)"
CT_REQUIRE_SHARED=1 .venv/bin/pytest -q -m shared tests/test_shared_store.py \
    tests/test_shared_deployment.py
