#!/usr/bin/env bash
# Runs every fuzz target under afl-fuzz for a while and prints one JSON summary line last (see fuzz/README.md).
# Called by ./kiosk.sh fuzz, which installs afl++ first. Options:
#   --seconds N            fuzzing time per target (default 30)
#   --configuration C      build configuration of fuzz/Kiosk.Fuzz to instrument (default Release)
#   --no-build             instrument what is already built (./kiosk.sh test has just built the solution)
#   --targets "A B"        only these targets (default: every target `Kiosk.Fuzz.dll list` names)
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=30 configuration=Release build=1 only=""
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds="$2"; shift 2 ;;
    --configuration) configuration="$2"; shift 2 ;;
    --no-build) build=0; shift ;;
    --targets) only="$2"; shift 2 ;;
    *) echo "run-afl.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
case "$seconds" in ''|*[!0-9]*) echo "run-afl.sh: --seconds takes a whole number of seconds, not '$seconds'" >&2; exit 2 ;; esac

work=.cache/fuzz
tools="$work/tools"
bin="$work/bin-$configuration"
mkdir -p "$work"

# SharpFuzz's instrumenter, pinned to the version of the SharpFuzz package (Directory.Packages.props).
if [ ! -x "$tools/sharpfuzz" ]; then
  echo "fuzz: installing SharpFuzz.CommandLine 2.3.0 (dotnet tool install --tool-path $tools)" >&2
  dotnet tool install --tool-path "$tools" SharpFuzz.CommandLine --version 2.3.0 >/dev/null
fi

if [ "$build" -eq 1 ]; then
  dotnet build fuzz/Kiosk.Fuzz -c "$configuration" -v quiet -nologo -clp:ErrorsOnly >&2
fi

# Instrument a copy, so the build output the tests use stays as built. Only the product's assemblies are instrumented
# (the coverage afl-fuzz steers by), and only the namespaces that hold the parsers of the big ones.
plain="fuzz/Kiosk.Fuzz/bin/$configuration/net10.0"
rm -rf "$bin"
cp -r "$plain" "$bin"
instrument() {
  "$tools/sharpfuzz" "$bin/$1" ${2:+"$2"} >/dev/null || { echo "fuzz: sharpfuzz could not instrument $1" >&2; exit 1; }
}
instrument Kiosk.Agent.dll Kiosk.Agent.Sync,Kiosk.Agent.Control
instrument Kiosk.Central.dll Kiosk.Central.Messages
instrument kioskctl.dll Kiosk.Ctl.Enrollment,Kiosk.Ctl.Config
instrument Kiosk.Devices.Abstractions.dll
instrument Kiosk.Agent.Contracts.dll Kiosk.Agent.Control
instrument Kiosk.Devices.Serial.dll
instrument Kiosk.Devices.IdCardReader.dll
instrument Kiosk.Devices.FingerprintReader.dll
instrument Kiosk.Devices.SignaturePad.dll
instrument Kiosk.Devices.DocumentImaging.dll

targets=$(dotnet "$bin/Kiosk.Fuzz.dll" list | cut -f1)
[ -n "$only" ] && targets="$only"

# afl-fuzz runs `dotnet`, which it did not instrument (SharpFuzz reports coverage itself); no UI, no CPU binding on a
# shared machine, crashes kept even when the kernel hands core dumps to a helper, time for the runtime to start.
export AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_NO_AFFINITY=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1
export AFL_FAST_CAL=1 AFL_FORKSRV_INIT_TMOUT=120000 AFL_NO_CRASH_README=1

findings="$work/findings"
rm -rf "$findings" "$work/crashes"
mkdir -p "$findings"
summary="$work/summary.tsv"
: > "$summary"
total_execs=0 total_crashes=0 total_hangs=0 count=0 errors=0 details=""
for target in $targets; do
  out="$findings/$target"
  log="$findings/$target.log"
  status=ok
  # -t 10000+: an input that takes 10 s is a hang (the + skips seeds that are merely slow under load); -V: stop after N s.
  if ! timeout $((seconds + 300)) afl-fuzz -i "fuzz/corpus/$target" -o "$out" -t 10000+ -V "$seconds" -- dotnet "$bin/Kiosk.Fuzz.dll" run "$target" >"$log" 2>&1; then
    status=error
  fi

  stats="$out/default/fuzzer_stats"
  execs=0 crashes=0 hangs=0 paths=0
  if [ -f "$stats" ]; then
    execs=$(awk -F' *: *' '$1=="execs_done"{print $2}' "$stats")
    crashes=$(awk -F' *: *' '$1=="saved_crashes"||$1=="unique_crashes"{print $2}' "$stats" | head -n 1)
    hangs=$(awk -F' *: *' '$1=="saved_hangs"||$1=="unique_hangs"{print $2}' "$stats" | head -n 1)
    paths=$(awk -F' *: *' '$1=="corpus_count"||$1=="paths_total"{print $2}' "$stats" | head -n 1)
  else
    status=error
  fi

  if [ "${crashes:-0}" -gt 0 ]; then
    mkdir -p "$work/crashes/$target"
    cp "$out"/default/crashes/id:* "$work/crashes/$target/" 2>/dev/null || true
    # A crash counts once it reproduces: replayed in-process on the build as built (the instrumented copy only runs
    # under afl-fuzz). afl-fuzz also records a child that a signal from outside ended (sig:02, SIGINT, seen on a loaded
    # 2-core machine as the time budget ran out); such an input that runs clean is reported, kept, and not counted.
    if dotnet "$plain/Kiosk.Fuzz.dll" replay "$target" "$work/crashes/$target" >"$work/crashes/$target.replay" 2>&1; then
      echo "fuzz: $target: afl-fuzz recorded $crashes crash(es) that do not reproduce ($(ls "$work/crashes/$target" | tr '\n' ' ')); kept in $work/crashes/$target, not counted" >&2
      crashes=0
    else
      status=crash
      echo "fuzz: $target: $crashes crash(es) in $work/crashes/$target; see them with: dotnet $plain/Kiosk.Fuzz.dll replay $target $work/crashes/$target" >&2
      head -n 20 "$work/crashes/$target.replay" >&2 || true
    fi
  fi

  if [ "$status" = error ]; then
    errors=$((errors + 1))
    echo "fuzz: $target: afl-fuzz did not run to the end; its log: $log" >&2
    tail -n 5 "$log" >&2 || true
  fi

  echo "fuzz: $target: $execs execs, ${crashes:-0} crashes, ${hangs:-0} hangs, ${paths:-0} corpus entries ($status)" >&2
  printf '%s\t%s\t%s\t%s\t%s\n' "$target" "$execs" "${crashes:-0}" "${hangs:-0}" "$status" >> "$summary"
  total_execs=$((total_execs + execs)); total_crashes=$((total_crashes + ${crashes:-0})); total_hangs=$((total_hangs + ${hangs:-0}))
  count=$((count + 1))
  details="$details${details:+,}{\"target\":\"$target\",\"execs\":$execs,\"crashes\":${crashes:-0},\"hangs\":${hangs:-0},\"corpus\":${paths:-0},\"status\":\"$status\"}"
done

echo "{\"targets\": $count, \"execs\": $total_execs, \"crashes\": $total_crashes, \"hangs\": $total_hangs, \"errors\": $errors, \"seconds_per_target\": $seconds, \"per_target\": [$details]}"
[ "$total_crashes" -eq 0 ] && [ "$errors" -eq 0 ]
