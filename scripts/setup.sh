#!/usr/bin/env bash
# Sets up everything the auditor needs on this machine; idempotent, a second call takes seconds.
#   scripts/setup.sh         the venv, the package, a Chromium and CJK fonts
#   scripts/setup.sh --test  the same, plus the test tools and a PostgreSQL server for the tests
set -euo pipefail
cd "$(dirname "$0")/.."
want_test=0; [ "${1:-}" = "--test" ] && want_test=1

as_root_apt() {  # install Debian packages when we may; otherwise say what is missing
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    [ -f /var/tmp/.auditor-apt-updated ] || { apt-get update -qq && touch /var/tmp/.auditor-apt-updated; }
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
  else
    echo "setup: please install: $* (e.g. sudo apt-get install -y $*)" >&2
  fi
}

# Playwright's driver (a bundled node) needs libatomic on minimal Debian before anything else runs.
if command -v dpkg >/dev/null && ! dpkg -s libatomic1 >/dev/null 2>&1; then as_root_apt libatomic1; fi

stamp=.venv/.installed-$( (cat pyproject.toml; echo $want_test) | sha256sum | cut -c1-16)
if [ ! -f "$stamp" ]; then
  [ -x .venv/bin/python ] || python3 -m venv .venv
  .venv/bin/pip install -q --upgrade pip >/dev/null
  if [ $want_test = 1 ]; then .venv/bin/pip install -q -e '.[test]'; else .venv/bin/pip install -q -e .; fi
  rm -f .venv/.installed-*; touch "$stamp"
fi

# Chromium's headless shell reads pages with less work than the full browser (bench/README.md); Debian
# ships it beside chromium, and a machine set up with the full one alone gets it too
if command -v dpkg >/dev/null && dpkg -s chromium >/dev/null 2>&1 && ! dpkg -s chromium-headless-shell >/dev/null 2>&1; then
  as_root_apt chromium-headless-shell || true
fi
.venv/bin/python -m auditor.browser
# CJK fonts, so Chinese text renders in screenshots and OCR test images
if command -v fc-list >/dev/null && ! fc-list :lang=zh | grep -q . ; then as_root_apt fonts-noto-cjk; fi
if ! command -v fc-list >/dev/null; then as_root_apt fonts-noto-cjk fontconfig; fi

if [ $want_test = 1 ] && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && ! command -v initdb >/dev/null; then
  as_root_apt postgresql
fi
# the workers' tests start a real Redis broker on loopback
if [ $want_test = 1 ] && ! command -v redis-server >/dev/null; then
  as_root_apt redis-server
fi
