#!/usr/bin/env bash
# Installs the SMTP servers the tests talk to, and the mail checkers they
# read our emails with, none of them written by us:
#   - aiosmtpd (PyPI, pinned), in a virtualenv, run by tests/servers/sink.py;
#   - dkimpy (PyPI, pinned) in the same virtualenv, which verifies our DKIM
#     signatures (tests/servers/dkim_verify.py);
#   - SpamAssassin (Debian's `spamassassin`, apt-get install, needs root),
#     which scores our emails with its standard rules;
#   - strace (Debian's `strace`, apt-get install, needs root), which records
#     the bytes our SMTP client writes (the pipelining test);
#   - Postfix's smtp-sink and smtp-source, taken from the Debian package with
#     `apt-get download` and unpacked with `dpkg -x` (the mail system itself is
#     not installed), run through FOLDER/bin/smtp-sink and FOLDER/bin/smtp-source.
#
# Usage: provision.sh FOLDER   (the tests use target/test-servers)
#
# Safe to run from several test processes at once (they wait on FOLDER/.lock);
# a finished install is recorded in FOLDER/.done and reused at once. Silent on
# success but for one line after a fresh install; on failure, exits non-zero
# with the reason on stderr. Needs python3 (3.8+) with venv, and either root
# or fresh apt lists for `apt-get download`.
set -euo pipefail

# Changing any of these re-provisions an existing folder.
AIOSMTPD_PINS=(aiosmtpd==1.4.6 atpublic==9.0.0 attrs==26.1.0 dkimpy==1.1.8 dnspython==2.7.0)
STAMP="v3 ${AIOSMTPD_PINS[*]} postfix-tools spamassassin"

fail() {
  echo "provision.sh: $*" >&2
  exit 1
}

folder="${1:?usage: provision.sh FOLDER}"
mkdir -p "$folder" || fail "cannot create $folder"
folder="$(cd "$folder" && pwd)"
marker="$folder/.done"

# SpamAssassin is installed system-wide, outside FOLDER: check it is still there.
spamassassin_present() {
  command -v spamassassin >/dev/null && [ -d /usr/share/spamassassin ]
}

# Fast path: nothing to do (the marker is written last, atomically).
[ "$(cat "$marker" 2>/dev/null)" = "$STAMP" ] && spamassassin_present && command -v strace >/dev/null 2>&1 && exit 0

exec 9>"$folder/.lock"
flock 9
# Another process may have finished while we waited.
[ "$(cat "$marker" 2>/dev/null)" = "$STAMP" ] && spamassassin_present && command -v strace >/dev/null 2>&1 && exit 0
rm -f "$marker"

log="$folder/provision.log"
: >"$log"
# Runs a command with its output in the log; on failure shows the log's tail.
quietly() {
  if ! "$@" >>"$log" 2>&1; then
    tail -n 20 "$log" >&2
    return 1
  fi
}

# ---------------------------------------------------------------- aiosmtpd
python="${PYTHON:-python3}"
command -v "$python" >/dev/null || fail "no $python on PATH (set PYTHON to a Python 3.8+)"
"$python" -c 'import sys; sys.exit(sys.version_info < (3, 8))' \
  || fail "$python is older than 3.8, which aiosmtpd needs"
rm -rf "$folder/venv"
quietly "$python" -m venv "$folder/venv" \
  || fail "'$python -m venv' failed (on Debian's own python3: apt-get install python3-venv)"
quietly "$folder/venv/bin/python" -m pip install --disable-pip-version-check --no-input \
  "${AIOSMTPD_PINS[@]}" \
  || fail "pip could not install ${AIOSMTPD_PINS[*]}"
"$folder/venv/bin/python" -c 'import aiosmtpd.controller, dkim' \
  || fail "aiosmtpd or dkimpy does not import from $folder/venv"

# ------------------------------------------------------------ SpamAssassin
if ! spamassassin_present; then
  [ "$(id -u)" = 0 ] \
    || fail "spamassassin is missing; as root: apt-get install --no-install-recommends spamassassin"
  export DEBIAN_FRONTEND=noninteractive
  apt=(apt-get -o DPkg::Lock::Timeout=300 -y --no-install-recommends)
  if ! "${apt[@]}" install spamassassin >>"$log" 2>&1; then
    quietly "${apt[@]}" update || fail "apt-get update failed"
    quietly "${apt[@]}" install spamassassin || fail "apt-get install spamassassin failed"
  fi
  spamassassin_present || fail "spamassassin is still missing after apt-get install"
fi

# ------------------------------------------------------------------ strace
# An observer we did not write: the pipelining test reads every write the
# client makes to the relay from strace's record.
if ! command -v strace >/dev/null 2>&1; then
  [ "$(id -u)" = 0 ] || fail "strace is missing; as root: apt-get install --no-install-recommends strace"
  export DEBIAN_FRONTEND=noninteractive
  apt=(apt-get -o DPkg::Lock::Timeout=300 -y --no-install-recommends)
  if ! "${apt[@]}" install strace >>"$log" 2>&1; then
    quietly "${apt[@]}" update || fail "apt-get update failed"
    quietly "${apt[@]}" install strace || fail "apt-get install strace failed"
  fi
  command -v strace >/dev/null 2>&1 || fail "strace is still missing after apt-get install"
fi

# ------------------------------------------------- Postfix's test programs
root="$folder/postfix"
download="$folder/download"
rm -rf "$root" "$download"
mkdir -p "$root" "$download"
command -v apt-get >/dev/null && command -v dpkg >/dev/null \
  || fail "apt-get and dpkg are needed to fetch Postfix's smtp-sink (Debian or Ubuntu)"

# Fetches Debian packages into $download and unpacks them into $root.
unpack() {
  rm -f "$download"/*.deb
  if ! (cd "$download" && apt-get download "$@") >>"$log" 2>&1; then
    # Empty or stale package lists: refresh them once and try again.
    quietly apt-get update \
      || fail "apt-get update failed (it needs root); cannot download: $*"
    (cd "$download" && quietly apt-get download "$@") \
      || fail "apt-get download $* failed"
  fi
  for deb in "$download"/*.deb; do
    quietly dpkg -x "$deb" "$root" || fail "dpkg -x $deb failed"
  done
}
unpack postfix
postfix_version="$(dpkg-deb -f "$download"/postfix_*.deb Version)"
for tool in smtp-sink smtp-source; do
  [ -x "$root/usr/sbin/$tool" ] || fail "the postfix package has no usr/sbin/$tool"
done

# The programs load libpostfix-*.so from the package (usr/lib/postfix) and
# system libraries (Berkeley DB, ICU, NSL, ...). Where the machine lacks some,
# their Debian packages are unpacked beside postfix too.
# The multiarch folder name (x86_64-linux-gnu), from where libc is.
multiarch="$(basename "$(dirname "$(ldd /bin/sh | awk '/libc\.so/ {print $3}')")")"
libpath="$root/usr/lib/postfix:$root/usr/lib/$multiarch:$root/lib/$multiarch"
package_of() {
  case "$1" in
    libdb-5.3.so) echo libdb5.3 ;;
    libnsl.so.2) echo libnsl2 ;;
    libicuuc.so.* | libicudata.so.* | libicui18n.so.*) echo "libicu${1##*.so.}" ;;
    libtirpc.so.3) echo libtirpc3 ;;
    libgssapi_krb5.so.2) echo libgssapi-krb5-2 ;;
    libkrb5.so.3) echo libkrb5-3 ;;
    libk5crypto.so.3) echo libk5crypto3 ;;
    libkrb5support.so.0) echo libkrb5support0 ;;
    libcom_err.so.2) echo libcom-err2 ;;
    libkeyutils.so.1) echo libkeyutils1 ;;
    libstdc++.so.6) echo libstdc++6 ;;
    libgcc_s.so.1) echo libgcc-s1 ;;
    libsasl2.so.2) echo libsasl2-2 ;;
    libssl.so.3 | libcrypto.so.3) echo libssl3 ;;
    *) return 1 ;;
  esac
}
missing_libs() {
  LD_LIBRARY_PATH="$libpath" ldd "$root/usr/sbin/smtp-sink" "$root/usr/sbin/smtp-source" \
    | awk '/not found/ {print $1}' | sort -u
}
for _ in 1 2 3 4; do
  missing="$(missing_libs)"
  [ -z "$missing" ] && break
  packages=()
  for lib in $missing; do
    package="$(package_of "$lib")" || fail "smtp-sink needs $lib, and this script does not know its package"
    packages+=("$package")
  done
  unpack $(printf '%s\n' "${packages[@]}" | sort -u)
done
missing="$(missing_libs)"
[ -z "$missing" ] || fail "smtp-sink still misses libraries: $missing"
rm -rf "$download"

mkdir -p "$folder/bin"
for tool in smtp-sink smtp-source; do
  cat >"$folder/bin/$tool.new" <<WRAPPER
#!/bin/sh
# Postfix's $tool, run from the Debian package unpacked in ../postfix, with
# the libraries unpacked there. Written by tests/servers/provision.sh.
root="\$(cd "\$(dirname "\$0")/../postfix" && pwd)"
LD_LIBRARY_PATH="\$root/usr/lib/postfix:\$root/usr/lib/$multiarch:\$root/lib/$multiarch\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}"
export LD_LIBRARY_PATH
exec "\$root/usr/sbin/$tool" "\$@"
WRAPPER
  chmod +x "$folder/bin/$tool.new"
  mv -f "$folder/bin/$tool.new" "$folder/bin/$tool"
done

# --------------------------------------------- both programs must really work
port="$("$folder/venv/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
as_root=()
[ "$(id -u)" = 0 ] && as_root=(-u root) # smtp-sink refuses root without -u
"$folder/bin/smtp-sink" "${as_root[@]}" "127.0.0.1:$port" 16 >>"$log" 2>&1 &
sink=$!
for _ in $(seq 100); do
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
  sleep 0.05
done
# (Not smtp-sink -M 1: it exits before answering the message's final ".".)
if ! timeout 30 "$folder/bin/smtp-source" -M localhost -f a@localhost -t b@localhost -m 1 "127.0.0.1:$port" >>"$log" 2>&1; then
  kill "$sink" 2>/dev/null || true
  wait "$sink" 2>/dev/null || true
  tail -n 5 "$log" >&2
  fail "smtp-source could not deliver to smtp-sink on 127.0.0.1:$port"
fi
kill "$sink"
wait "$sink" 2>/dev/null || true

echo "$STAMP" >"$marker.new"
mv -f "$marker.new" "$marker"
echo "test SMTP servers ready in $folder (${AIOSMTPD_PINS[0]}, ${AIOSMTPD_PINS[3]}, smtp-sink/smtp-source of postfix $postfix_version, $(spamassassin --version | head -n 1))"
