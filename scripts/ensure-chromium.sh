#!/usr/bin/env bash
# The dashboard's browser tests drive Debian's Chromium (never a browser downloaded by a test tool).
# Installs it when missing and we are root with apt; otherwise says plainly that those tests will skip.
set -u
if command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ]; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "ensure-chromium: installing Debian's chromium for the browser tests…"
  if (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/tmp/seatwise-chromium.log 2>&1; then
    exit 0
  fi
  echo "ensure-chromium: apt-get install chromium failed (see /tmp/seatwise-chromium.log)"
fi
echo "ensure-chromium: SKIP: no chromium; the browser tests will be skipped"
exit 0
