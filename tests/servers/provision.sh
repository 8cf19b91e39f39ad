#!/usr/bin/env bash
# Installs the SMTP servers the tests talk to, none of them written by us:
#   - aiosmtpd (PyPI), in a virtualenv, run by tests/servers/sink.py;
#   - Postfix's smtp-sink and smtp-source, taken from the Debian package and
#     run from where it is unpacked (the mail system itself is not installed).
# Usage: provision.sh FOLDER. Safe to run from several tests at once; a
# finished install is reused.
set -euo pipefail

folder="${1:?usage: provision.sh FOLDER}"
mkdir -p "$folder"
folder="$(cd "$folder" && pwd)"
exec 9>"$folder/.lock"
flock 9
[ -e "$folder/.done" ] && exit 0

# aiosmtpd in its own virtualenv.
if [ ! -x "$folder/venv/bin/python" ] || ! "$folder/venv/bin/python" -c 'import aiosmtpd' 2>/dev/null; then
  rm -rf "$folder/venv"
  python3 -m venv "$folder/venv"
  "$folder/venv/bin/pip" install --quiet --disable-pip-version-check 'aiosmtpd==1.4.6'
fi

# Postfix's test tools, unpacked (not installed).
if [ ! -x "$folder/postfix/usr/sbin/smtp-sink" ]; then
  download="$folder/download"
  rm -rf "$download" "$folder/postfix"
  mkdir -p "$download"
  if ! (cd "$download" && apt-get download postfix >/dev/null 2>&1); then
    apt-get update >/dev/null
    (cd "$download" && apt-get download postfix >/dev/null 2>&1)
  fi
  dpkg -x "$download"/postfix_*.deb "$folder/postfix"
  rm -rf "$download"
fi
mkdir -p "$folder/bin"
for tool in smtp-sink smtp-source; do
  cat >"$folder/bin/$tool" <<WRAPPER
#!/bin/sh
# Postfix's $tool, run from the unpacked package with its own libraries.
LD_LIBRARY_PATH="$folder/postfix/usr/lib/postfix\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}" exec "$folder/postfix/usr/sbin/$tool" "\$@"
WRAPPER
  chmod +x "$folder/bin/$tool"
done

# Both must run before the install counts as done.
"$folder/venv/bin/python" -c 'import aiosmtpd'
if "$folder/bin/smtp-sink" 2>&1 | grep -q 'error while loading'; then
  echo "smtp-sink cannot load its libraries" >&2
  exit 1
fi
touch "$folder/.done"
