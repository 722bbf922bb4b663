#!/usr/bin/env bash
# Sets up the offline real-viewer tests (web/tests/): Debian packages (scripts/install-system-deps.sh)
# + .venv-tests/. Idempotent: apt runs only when a package is missing; pip runs only when
# web/tests/requirements.txt changed since the last successful install (stamp file).
# Never runs `playwright install`: the tests drive Debian's /usr/bin/chromium.
set -euo pipefail
cd "$(dirname "$0")/.."

die() { echo "setup-browser-tests: $*" >&2; exit 1; }

bash scripts/install-system-deps.sh || die "system packages missing"
for bin in /usr/bin/chromium xmllint rsvg-convert; do
  command -v "$bin" >/dev/null || die "$bin not found after install"
done

venv=.venv-tests
req=web/tests/requirements.txt
stamp=$venv/.requirements.sha256
want=$(sha256sum "$req" | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && "$venv/bin/python" -c 'import playwright, viztracer, pytest' 2>/dev/null; then
  exit 0
fi
[ -x "$venv/bin/python" ] || python3 -m venv "$venv" || die "cannot create $venv (python3-venv?)"
log=$(mktemp)
"$venv/bin/python" -m pip install -q --disable-pip-version-check -r "$req" >"$log" 2>&1 \
  || die "pip install -r $req failed: $(grep -m1 -i error "$log" || tail -1 "$log") (log: $log)"
rm -f "$log"
echo "$want" >"$stamp"
echo "setup-browser-tests: ready ($venv)"
