#!/usr/bin/env bash
# The document camera evaluation set (tests/Kiosk.PageEvalSet/README.md): 1920x1080 frames of pages on desks, each
# with the page's true corners in a JSON file beside it. Sources, all from Debian's python3-skimage package
# (apt-get download), fetched here and never committed: the page photographs page.png and text.png, and eight
# photographs used as desk textures. The frames are composed by tests/Kiosk.PageEvalSet (seeded: the same every run)
# into .cache/page-eval/frames. Idempotent: does nothing when the manifest of the current set version is there.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
root="${KIOSK_PAGE_EVAL:-$repo/.cache/page-eval}"
sources="$root/sources"
frames="$root/frames"
version=1
skimage=(page.png text.png coffee.png brick.png gravel.png grass.png coins.png chelsea.png moon.png hubble_deep_field.jpg)

if [[ -s "$frames/manifest.json" ]] && grep -q "\"version\": $version," "$frames/manifest.json"; then
  echo "page evaluation set in $frames ($(grep -o '"images": [0-9]*' "$frames/manifest.json"))"
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
  [[ -n "$data_dir" ]] || { echo "fetch-page-eval-set.sh: python3-skimage has no skimage/data folder" >&2; exit 1; }
  for f in "${skimage[@]}"; do
    [[ -f "$data_dir/$f" ]] || { echo "fetch-page-eval-set.sh: python3-skimage has no $f" >&2; exit 1; }
    cp "$data_dir/$f" "$sources/$f"
  done
fi

dotnet build "$repo/tests/Kiosk.PageEvalSet" -c Release -v quiet -nologo -clp:ErrorsOnly >"$work/build.log" 2>&1 || { cat "$work/build.log" >&2; exit 1; }
dotnet "$repo/tests/Kiosk.PageEvalSet/bin/Release/net10.0/page-eval-set.dll" --sources "$sources" --out "$frames"
