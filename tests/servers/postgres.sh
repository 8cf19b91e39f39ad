#!/usr/bin/env bash
# Installs the PostgreSQL server the tests run against, none of it written by
# us: Debian's `postgresql` package (apt-get install, needs root) when no
# /usr/lib/postgresql/VERSION/bin/initdb is there yet, then one `initdb` into
# FOLDER/template, which the tests copy (cp -a) for each server they start
# (tests/servers/postgres, crate jalon-test-postgres).
#
# Usage: postgres.sh FOLDER   (the tests use target/test-servers/postgres)
#
# The template belongs to the user the servers run as: `postgres` (the system
# user the Debian package creates) when run as root, since initdb and postgres
# refuse to run as root; the current user otherwise. Its superuser is `jalon`,
# trusted without password (the servers listen on 127.0.0.1 only).
# FOLDER/bindir holds the folder of the PostgreSQL programs used (one line).
#
# Safe to run from several test processes at once (they wait on FOLDER/.lock);
# a finished install is recorded in FOLDER/.done and reused at once. Silent on
# success but for one line after a fresh install; on failure, exits non-zero
# with the reason on stderr (details in FOLDER/postgres.log).
set -euo pipefail

fail() {
  echo "postgres.sh: $*" >&2
  exit 1
}

folder="${1:?usage: postgres.sh FOLDER}"
mkdir -p "$folder" || fail "cannot create $folder"
folder="$(cd "$folder" && pwd)"
marker="$folder/.done"

# Environment variables such as PGDATA, PGHOST or PGOPTIONS must not change
# what initdb does.
for variable in $(compgen -e); do
  case "$variable" in PG*) unset "$variable" ;; esac
done

if [ "$(id -u)" = 0 ]; then
  run_user=postgres
  as_user=(setpriv --reuid=postgres --regid=postgres --init-groups --)
else
  run_user="$(id -un)"
  as_user=()
fi

# The newest installed server's program folder, e.g. /usr/lib/postgresql/15/bin.
installed_bindir() {
  local newest
  newest="$(ls -d /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1 || true)"
  [ -n "$newest" ] && [ -x "$newest" ] && [ -x "${newest%/initdb}/postgres" ] \
    && echo "${newest%/initdb}"
}

# Changing any of these (a new PostgreSQL version, another user) re-provisions.
stamp_for() { echo "v1 $1 $run_user"; }

is_done() {
  [ -n "$bindir" ] \
    && [ "$(cat "$marker" 2>/dev/null)" = "$(stamp_for "$bindir")" ] \
    && [ -f "$folder/template/PG_VERSION" ]
}

# Fast path: nothing to do (the marker is written last, atomically).
bindir="$(installed_bindir || true)"
is_done && exit 0

exec 9>"$folder/.lock"
flock 9
# Another process may have finished while we waited.
bindir="$(installed_bindir || true)"
is_done && exit 0
rm -f "$marker"

log="$folder/postgres.log"
: >"$log"
# Runs a command with its output in the log; on failure shows the log's tail.
quietly() {
  if ! "$@" >>"$log" 2>&1; then
    tail -n 20 "$log" >&2
    return 1
  fi
}

# ------------------------------------------------------ Debian's postgresql
installed=""
if [ -z "$bindir" ]; then
  [ "$(id -u)" = 0 ] \
    || fail "PostgreSQL's server is not installed (no /usr/lib/postgresql/*/bin/initdb); as root: apt-get install --no-install-recommends postgresql"
  command -v apt-get >/dev/null \
    || fail "PostgreSQL's server is not installed, and there is no apt-get to install Debian's postgresql package with"
  export DEBIAN_FRONTEND=noninteractive
  apt=(apt-get -o DPkg::Lock::Timeout=300 -y --no-install-recommends)
  # The package creates and starts a cluster `main` (port 5432) on its first
  # install: the tests do not use it. Those it creates now are stopped below.
  clusters_before="$(ls -d /etc/postgresql/*/*/ 2>/dev/null || true)"
  if ! "${apt[@]}" install postgresql >>"$log" 2>&1; then
    # Empty or stale package lists: refresh them and try again. (Another apt
    # may hold the lists' lock for a while: retry the update a few times.)
    updated=""
    for _ in 1 2 3 4 5 6; do
      if "${apt[@]}" update >>"$log" 2>&1; then
        updated=yes
        break
      fi
      sleep 10
    done
    [ -n "$updated" ] || { tail -n 20 "$log" >&2; fail "apt-get update failed"; }
    quietly "${apt[@]}" install postgresql || fail "apt-get install postgresql failed"
  fi
  bindir="$(installed_bindir || true)"
  [ -n "$bindir" ] \
    || fail "apt-get installed postgresql, yet there is still no /usr/lib/postgresql/*/bin/initdb"
  installed="installed Debian's $(dpkg-query -W -f='${Package} ${Version}' "postgresql-$(basename "$(dirname "$bindir")")" 2>/dev/null || echo postgresql)"
  for conf_dir in /etc/postgresql/*/*/; do
    [ -f "$conf_dir/start.conf" ] || continue
    grep -qxF "$conf_dir" <<<"$clusters_before" && continue
    cluster="$(basename "$conf_dir")"
    version="$(basename "$(dirname "$conf_dir")")"
    pg_ctlcluster "$version" "$cluster" stop >>"$log" 2>&1 || true
    printf '%s\n' "# Set by Jalon's tests/servers/postgres.sh, which installed PostgreSQL" \
      "# for its tests only: start it by hand (pg_ctlcluster), or write auto." \
      manual >"$conf_dir/start.conf"
    installed="$installed, stopped its cluster $version/$cluster (now started by hand only)"
  done
fi
version="$("$bindir/postgres" --version)" || fail "$bindir/postgres does not run"

# ------------------------------------------------------------- the template
getent passwd "$run_user" >/dev/null \
  || fail "there is no user $run_user to run the servers as (Debian's postgresql-common creates it)"

# As root, the servers run as postgres, which must be able to reach FOLDER.
granted=""
if [ "$(id -u)" = 0 ] && ! "${as_user[@]}" test -x "$folder"; then
  IFS=/ read -ra parts <<<"${folder#/}"
  path=""
  for part in "${parts[@]}"; do
    path="$path/$part"
    "${as_user[@]}" test -x "$path" && continue
    # Search permission only (x): the folder's entries still cannot be listed.
    if ! { command -v setfacl >/dev/null && setfacl -m "u:$run_user:x" "$path" 2>>"$log"; }; then
      chmod o+x "$path" || fail "cannot let user $run_user through $path (chmod o+x $path)"
    fi
    granted="$granted $path"
  done
  "${as_user[@]}" test -x "$folder" \
    || fail "user $run_user cannot reach $folder: give it search (x) permission on the folders above"
fi

if locale -a 2>/dev/null | grep -qixE 'c\.utf-?8'; then
  locale_options=(--locale=C.UTF-8)
else
  locale_options=(--no-locale)
fi

rm -rf "$folder/template" "$folder/template.new" "$folder/bindir" 2>>"$log" \
  || fail "cannot remove the previous template in $folder (made by another user? remove $folder as root)"
mkdir -m 700 "$folder/template.new"
[ "$(id -u)" = 0 ] && chown "$run_user:" "$folder/template.new"
# (In the new folder, so that initdb's working folder is one it can reach.)
(cd "$folder/template.new" \
  && TZ=UTC LC_ALL=C quietly "${as_user[@]}" "$bindir/initdb" -D "$folder/template.new" \
    --username=jalon --auth=trust --encoding=UTF8 "${locale_options[@]}") \
  || fail "initdb failed (as user $run_user, into $folder/template.new)"
mv "$folder/template.new" "$folder/template"
mkdir -p "$folder/clusters"
echo "$bindir" >"$folder/bindir.new"
mv -f "$folder/bindir.new" "$folder/bindir"

stamp_for "$bindir" >"$marker.new"
mv -f "$marker.new" "$marker"
echo "PostgreSQL template ready in $folder/template ($version, run as $run_user${installed:+; $installed}${granted:+; gave $run_user search permission on$granted})"
