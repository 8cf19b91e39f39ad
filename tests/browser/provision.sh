#!/usr/bin/env bash
# Installs what the browser tests drive, none of it written by us:
#   - Debian's `chromium` and `chromium-driver` (chromedriver), with its
#     translations (`chromium-l10n`: the tests run it in French, as the
#     programmes' people do, date fields taking day, month, year), with
#     apt-get install when missing (needs root);
#   - axe-core (npm, pinned and checked against the registry's sha512), whose
#     axe.min.js the tests inject into pages to find accessibility faults,
#     unpacked to FOLDER/axe.min.js.
#
# Usage: provision.sh FOLDER   (the tests use target/test-browser)
#
# Safe to run from several test processes at once (they wait on FOLDER/.lock);
# a finished install is recorded in FOLDER/.done and reused at once. Silent on
# success but for one line after a fresh install; on failure, exits non-zero
# with the reason on stderr. Needs curl (or python3) to reach the npm registry.
set -euo pipefail

# Changing any of these re-provisions an existing folder.
AXE_VERSION=4.14.1
AXE_INTEGRITY=sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ==
STAMP="v2 axe-core@$AXE_VERSION chromium chromium-l10n"

fail() {
  echo "provision.sh: $*" >&2
  exit 1
}

folder="${1:?usage: provision.sh FOLDER}"
mkdir -p "$folder" || fail "cannot create $folder"
folder="$(cd "$folder" && pwd)"
marker="$folder/.done"

# Chromium is installed system-wide, outside FOLDER: check it is still there.
browser_present() {
  command -v chromium >/dev/null && command -v chromedriver >/dev/null \
    && [ -f /usr/lib/chromium/locales/fr.pak ]
}

# Fast path: nothing to do (the marker is written last, atomically).
[ "$(cat "$marker" 2>/dev/null)" = "$STAMP" ] && browser_present && exit 0

exec 9>"$folder/.lock"
flock 9
# Another process may have finished while we waited.
[ "$(cat "$marker" 2>/dev/null)" = "$STAMP" ] && browser_present && exit 0
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

# ---------------------------------------------------------------- chromium
if ! browser_present; then
  command -v apt-get >/dev/null \
    || fail "chromium and chromedriver are missing, and there is no apt-get to install them (Debian or Ubuntu)"
  [ "$(id -u)" = 0 ] \
    || fail "chromium, chromedriver or their translations are missing; as root: apt-get install chromium chromium-driver chromium-l10n"
  export DEBIAN_FRONTEND=noninteractive
  # Waits for another apt or dpkg to finish rather than failing at once.
  apt=(apt-get -o DPkg::Lock::Timeout=300 -y --no-install-recommends)
  packages=(chromium chromium-driver chromium-l10n)
  if ! "${apt[@]}" install "${packages[@]}" >>"$log" 2>&1; then
    # Empty or stale package lists: refresh them once and try again.
    quietly "${apt[@]}" update || fail "apt-get update failed"
    quietly "${apt[@]}" install "${packages[@]}" \
      || fail "apt-get install ${packages[*]} failed"
  fi
  browser_present || fail "chromium, chromedriver or Chromium's French (/usr/lib/chromium/locales/fr.pak) is still missing after apt-get install"
fi

# ---------------------------------------------------------------- axe-core
tarball="$folder/axe-core-$AXE_VERSION.tgz"
url="https://registry.npmjs.org/axe-core/-/axe-core-$AXE_VERSION.tgz"
rm -f "$tarball"
if command -v curl >/dev/null; then
  quietly curl --fail --silent --show-error --location --retry 3 --output "$tarball" "$url" \
    || fail "could not download $url"
else
  command -v python3 >/dev/null || fail "neither curl nor python3 is there to download $url"
  quietly python3 -c 'import sys, urllib.request; urllib.request.urlretrieve(sys.argv[1], sys.argv[2])' \
    "$url" "$tarball" || fail "could not download $url"
fi
# npm's integrity is the base64 of the tarball's SHA-512 digest.
digest_hex="$(sha512sum "$tarball" | cut -c1-128)"
integrity="sha512-$(printf '%b' "$(sed 's/../\\x&/g' <<<"$digest_hex")" | base64 -w0)"
[ "$integrity" = "$AXE_INTEGRITY" ] \
  || fail "$url does not match its pinned integrity (got $integrity)"
unpacked="$folder/unpacked"
rm -rf "$unpacked"
mkdir -p "$unpacked"
quietly tar -xzf "$tarball" -C "$unpacked" package/axe.min.js \
  || fail "the axe-core tarball has no package/axe.min.js"
mv -f "$unpacked/package/axe.min.js" "$folder/axe.min.js"
rm -rf "$unpacked" "$tarball"

# ---------------------------------------------------- both must really run
chromium_version="$(chromium --version 2>>"$log")" || { tail -n 5 "$log" >&2; fail "'chromium --version' failed"; }
driver_version="$(chromedriver --version 2>>"$log")" || { tail -n 5 "$log" >&2; fail "'chromedriver --version' failed"; }

echo "$STAMP" >"$marker.new"
mv -f "$marker.new" "$marker"
echo "browser tests ready in $folder ($chromium_version, ${driver_version%% (*}, axe-core $AXE_VERSION)"
