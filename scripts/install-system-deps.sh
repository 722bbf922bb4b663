#!/usr/bin/env bash
# Installs the Debian packages tasktrace's build and tests need, only those that are missing.
# libsqlite3-dev: the CSQLite system library; zlib1g-dev: the CZlib one (gzipped Chrome JSON);
# sqlite3: tests query traces as users do;
# chromium, libxml2-utils, librsvg2-bin: the browser and SVG checks of web/tests.
set -euo pipefail
needed=(libsqlite3-dev zlib1g-dev sqlite3 chromium libxml2-utils librsvg2-bin python3-venv)
missing=()
for package in "${needed[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "installing: ${missing[*]}"
    if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
        || { echo "error: could not install ${missing[*]} with apt-get" >&2; exit 1; }
fi
