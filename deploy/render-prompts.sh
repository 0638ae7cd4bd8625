#!/usr/bin/env bash
# Renders the check-in's voice prompts (deploy/prompts/<lang>.tsv) to 16-bit PCM WAV files, offline, with espeak-ng:
#   deploy/render-prompts.sh OUT_FOLDER [LANG]      (LANG default zh-CN; writes OUT_FOLDER/<name>.wav)
# The agent asks the speaker for prompt <name> on each new step (Kiosk:Devices:Aplay:PromptFolder names the folder).
# Voice: cmn (Mandarin) where espeak-ng has it, else zh. sox, when installed, resamples to 16 kHz mono.
set -euo pipefail
out="${1:?usage: render-prompts.sh OUT_FOLDER [LANG]}"
lang="${2:-zh-CN}"
table="$(dirname "$0")/prompts/$lang.tsv"
[ -f "$table" ] || { echo "render-prompts.sh: no prompt table $table" >&2; exit 1; }
command -v espeak-ng >/dev/null || { echo "render-prompts.sh: espeak-ng is not installed (apt-get install espeak-ng)" >&2; exit 1; }
voice=cmn
espeak-ng --voices=cmn 2>/dev/null | grep -qw cmn || voice=zh
mkdir -p "$out"
count=0
while IFS=$'\t' read -r name text; do
  case "$name" in ''|'#'*) continue ;; esac
  case "$name" in *[!a-z0-9-]*) echo "render-prompts.sh: bad prompt name '$name'" >&2; exit 1 ;; esac
  raw="$out/.$name.raw.wav"
  espeak-ng -v "$voice" -s 150 -w "$raw" -- "$text"
  if command -v sox >/dev/null; then
    sox -q "$raw" -r 16000 -c 1 -b 16 "$out/$name.wav"
    rm -f "$raw"
  else
    mv "$raw" "$out/$name.wav"
  fi
  count=$((count + 1))
done < "$table"
echo "render-prompts.sh: $count prompts ($lang, voice $voice) in $out"
