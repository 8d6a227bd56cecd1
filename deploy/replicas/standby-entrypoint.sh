#!/bin/bash
# The standby: on an empty volume, a base backup of the primary with -R (standby.signal and primary_conninfo),
# then the server in hot standby. On later starts it resumes streaming from where it was.
set -euo pipefail
PGDATA=/var/lib/postgresql/data
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  until pg_basebackup -h primary -U replicator -D "$PGDATA" -R -X stream -P; do
    echo "waiting for the primary"; rm -rf "${PGDATA:?}"/*; sleep 2
  done
  chmod 700 "$PGDATA"
fi
exec postgres -D "$PGDATA" -c hot_standby=on -c hot_standby_feedback=on
