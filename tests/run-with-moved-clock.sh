#!/usr/bin/env bash
# Runs the test suite with the wall clock moved (default 150 days ahead) by Debian's libfaketime, to show that no test
# mixes a fixed date with the real clock. The monotonic clock is left alone, so timeouts and waits behave as usual.
#   tests/run-with-moved-clock.sh [OFFSET] [dotnet test ARGS...]    OFFSET as faketime takes it: +150d, -30d, +2y
# Build first (./kiosk.sh test does, or dotnet build Kiosk.sln). Last line: "N passed, M failed, K skipped".
set -euo pipefail
cd "$(dirname "$0")/.."
offset="${1:-+150d}"
[ $# -gt 0 ] && shift
library=$(dpkg -L libfaketime 2>/dev/null | grep -m1 '/libfaketime.so.1$' || true)
if [ -z "$library" ]; then
  echo "libfaketime is not installed: apt-get install -y faketime" >&2
  exit 1
fi

settings=$(mktemp /tmp/moved-clock-XXXXXX.runsettings)
log=$(mktemp /tmp/moved-clock-XXXXXX.log)
trap 'rm -f "$settings"' EXIT
cat > "$settings" <<SETTINGS
<RunSettings>
  <RunConfiguration>
    <EnvironmentVariables>
      <LD_PRELOAD>$library</LD_PRELOAD>
      <FAKETIME>$offset</FAKETIME>
      <FAKETIME_DONT_FAKE_MONOTONIC>1</FAKETIME_DONT_FAKE_MONOTONIC>
      <FAKETIME_DONT_RESET>1</FAKETIME_DONT_RESET>
    </EnvironmentVariables>
  </RunConfiguration>
</RunSettings>
SETTINGS

echo "moved clock: tests see $(LD_PRELOAD=$library FAKETIME=$offset FAKETIME_DONT_FAKE_MONOTONIC=1 date -u +%F) (today is $(date -u +%F)); log in $log"
set +e
# No --blame-hang-timeout here: its data collector under libfaketime never finishes negotiating with the test host.
dotnet test Kiosk.sln --no-build -nologo --settings "$settings" --logger "console;verbosity=minimal" "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
passed=0 failed=0 skipped=0
while read -r f p s; do
  passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
done < <(sed -n 's/.*Failed: *\([0-9]*\), Passed: *\([0-9]*\), Skipped: *\([0-9]*\).*/\1 \2 \3/p' "$log")
[ "$status" -ne 0 ] && [ "$failed" -eq 0 ] && failed=1
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
