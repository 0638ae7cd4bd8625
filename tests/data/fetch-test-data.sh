#!/usr/bin/env bash
# Test data for the simulated devices and the device tests: photographs and pages from Debian's
# python3-skimage package and a short spoken Chinese sentence made with espeak-ng and sox.
# Third-party files are only ever written to the cache folder (git-ignored), never committed.
# Also the face detector models (deploy/fetch-face-model.sh into .cache/models, before any build copies them) and,
# with --face-eval, the evaluation sets: the face detector's (tests/data/fetch-face-eval-set.sh into .cache/face-eval)
# and the document camera's (tests/data/fetch-page-eval-set.sh into .cache/page-eval).
# Idempotent: exits at once when the files are already there.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
bash "$repo/deploy/fetch-face-model.sh" "$repo/.cache/models"
if [[ "${1:-}" == "--face-eval" ]]; then
    bash "$repo/tests/data/fetch-face-eval-set.sh"
    bash "$repo/tests/data/fetch-page-eval-set.sh"
fi

target="${KIOSK_TEST_DATA:-$repo/.cache/test-data}"
images=(astronaut.png camera.png page.png text.png coffee.png chelsea.png)

have_all() {
    for f in "${images[@]}" speech.wav; do
        [[ -s "$target/$f" ]] || return 1
    done
}

summary() {
    echo "test data in $target: $(cd "$target" && ls | tr '\n' ' ')"
}

if have_all; then
    summary
    exit 0
fi

mkdir -p "$target"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

updated=0
apt_update_once() {
    if [[ $updated -eq 0 ]]; then
        apt-get update -qq
        updated=1
    fi
}

# Images: python3-skimage ships its sample data under .../skimage/data/.
missing_image=0
for f in "${images[@]}"; do
    [[ -s "$target/$f" ]] || missing_image=1
done
if [[ $missing_image -eq 1 ]]; then
    (
        cd "$work"
        # apt-get download runs as _apt and warns when it cannot write here; the download still succeeds.
        if ! apt-get download python3-skimage >/dev/null 2>&1; then
            apt_update_once
            apt-get download python3-skimage >/dev/null 2>&1
        fi
    )
    dpkg-deb -x "$work"/python3-skimage_*.deb "$work/pkg"
    data_dir="$(find "$work/pkg" -type d -path '*/skimage/data' | head -n 1)"
    if [[ -z "$data_dir" ]]; then
        echo "python3-skimage has no skimage/data folder" >&2
        exit 1
    fi
    for f in "${images[@]}"; do
        if [[ -f "$data_dir/$f" ]]; then
            cp "$data_dir/$f" "$target/$f"
        fi
    done
fi

# Speech: 1 s of silence, a short sentence, 2 s of silence; 16 kHz mono 16-bit PCM.
if [[ ! -s "$target/speech.wav" ]]; then
    if ! command -v espeak-ng >/dev/null || ! command -v sox >/dev/null; then
        if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq espeak-ng sox >/dev/null; then
            apt_update_once
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq espeak-ng sox >/dev/null
        fi
    fi
    espeak-ng -v cmn -s 150 -w "$work/raw.wav" "我本月按时报到，遵守各项规定，没有离开居住地。"
    sox "$work/raw.wav" -r 16000 -c 1 -b 16 "$work/speech.wav" pad 1 2
    mv "$work/speech.wav" "$target/speech.wav"
fi

summary
