#!/usr/bin/env bash
# Renders the kiosk screen's pinyin table (pinyin syllable → Chinese characters, most used first) from the Unihan
# database of Debian's unicode-data package, offline:
#   deploy/render-pinyin.sh OUT_FILE [UNICODE_DIR]      (UNICODE_DIR default /usr/share/unicode)
# The agent serves OUT_FILE to the screen's on-screen keyboard as /screen/pinyin.json (Kiosk:Screen:PinyinTable names
# it; default screen/pinyin.json in the agent's program folder). Without it the keyboard still types letters and digits.
#
# What goes in (Unihan, UAX #38):
#   - characters: those of the 通用规范汉字表 (Table of General Standard Chinese Characters, 2013), i.e. with a
#     kTGHZ2013 field (8105 characters): every character a person needs for an address or a name, and few others;
#   - readings: kTGHZ2013's readings (the standard's own, polyphones included), kMandarin and kHanyuPinlu's; kHanyuPinyin
#     only for a character that has none of those, since it also lists classical readings (是 tí) nobody types;
#   - order within a syllable: kHanyuPinlu's corpus count of that reading (是 shì 27098); a character kHanyuPinlu does
#     not count (刘, 朱: surnames are rare in its corpus) gets the count typical of its kFrequency class instead (1: 5000,
#     2: 1000, 3: 300, 4: 80, 5: 10, about the median count of the counted characters in each class); ties go to the
#     character's count over all its readings, then to the code point. Characters with neither come last.
# Syllables are toneless, lower case, ü written v (lv, nv), as pinyin keyboards type them.
# Reads Unihan.zip (unzip) or Unihan_<part>.txt(.bz2) (bzcat), whichever the unicode-data version ships (Debian 12's
# 15.0.0-1 ships the parts bzip2-compressed).
set -euo pipefail
out="${1:?usage: render-pinyin.sh OUT_FILE [UNICODE_DIR]}"
dir="${2:-/usr/share/unicode}"
export LC_ALL=C

# Prints one part of the database (Readings, DictionaryLikeData), from whichever form unicode-data ships.
unihan() {
  local part="Unihan_$1.txt"
  if [ -f "$dir/$part.bz2" ]; then
    bzcat "$dir/$part.bz2"
  elif [ -f "$dir/$part" ]; then
    cat "$dir/$part"
  else
    unzip -p "$dir/Unihan.zip" "$part"
  fi
}

if [ -f "$dir/Unihan_Readings.txt.bz2" ]; then
  command -v bzcat >/dev/null || { echo "render-pinyin.sh: bzcat is missing (apt-get install bzip2)" >&2; exit 1; }
elif [ -f "$dir/Unihan.zip" ] && [ ! -f "$dir/Unihan_Readings.txt" ]; then
  command -v unzip >/dev/null || { echo "render-pinyin.sh: unzip is missing (apt-get install unzip)" >&2; exit 1; }
elif [ ! -f "$dir/Unihan_Readings.txt" ]; then
  echo "render-pinyin.sh: no Unihan_Readings.txt(.bz2) or Unihan.zip in $dir (apt-get install unicode-data)" >&2
  exit 2
fi
mkdir -p "$(dirname "$out")"
tmp="$out.tmp.$$"
trap 'rm -f "$tmp"' EXIT

# One line per (syllable, character): syllable, count of the reading, count of the character, code point, UTF-8; first
# a line "#version" with the Unicode version of the data (sorted first: '#' is below every letter).
{ unihan Readings; unihan DictionaryLikeData 2>/dev/null || true; } | awk -F'\t' '
  /^# Unicode version: / && version == "" { version = $0; sub(/^# Unicode version: */, "", version); printf "#version\t%s\n", version }
  function hex(s,   i, n) { n = 0; for (i = 1; i <= length(s); i++) n = n * 16 + index("0123456789ABCDEF", substr(s, i, 1)) - 1; return n }
  function utf8(c) {
    if (c < 65536) return sprintf("%c%c%c", 224 + int(c / 4096), 128 + int(c / 64) % 64, 128 + c % 64)
    return sprintf("%c%c%c%c", 240 + int(c / 262144), 128 + int(c / 4096) % 64, 128 + int(c / 64) % 64, 128 + c % 64)
  }
  # A tone-marked reading (zhù, lǘ, ê̄) as keyboards type it (zhu, lv, e); empty when it is not a plain syllable.
  function toneless(r) {
    gsub(/\xcc[\x80\x81\x84\x8c]/, "", r)                       # combining grave, acute, macron, caron
    gsub(/\xc7[\x96\x98\x9a\x9c]|\xc3\xbc/, "v", r)             # ǖ ǘ ǚ ǜ ü
    gsub(/\xc4\x81|\xc3\xa1|\xc7\x8e|\xc3\xa0/, "a", r)
    gsub(/\xc4\x93|\xc3\xa9|\xc4\x9b|\xc3\xa8|\xc3\xaa|\xe1\xba\xbf|\xe1\xbb\x81/, "e", r)
    gsub(/\xc4\xab|\xc3\xad|\xc7\x90|\xc3\xac/, "i", r)
    gsub(/\xc5\x8d|\xc3\xb3|\xc7\x92|\xc3\xb2/, "o", r)
    gsub(/\xc5\xab|\xc3\xba|\xc7\x94|\xc3\xb9/, "u", r)
    gsub(/\xc5\x84|\xc5\x88|\xc7\xb9/, "n", r)
    gsub(/\xe1\xb8\xbf/, "m", r)
    r = tolower(r)
    return r ~ /^[a-z]+$/ ? r : ""
  }
  function add(cp, r,   s) { s = toneless(r); if (s != "" && !((cp, s) in has)) { has[cp, s] = 1; syl[cp] = syl[cp] " " s } }
  $1 !~ /^U\+/ { next }
  {
    cp = hex(substr($1, 3))
    n = split($3, part, " ")
  }
  $2 == "kTGHZ2013" { standard[cp] = 1; for (i = 1; i <= n; i++) { sub(/^[^:]*:/, "", part[i]); add(cp, part[i]) } }
  $2 == "kMandarin" { for (i = 1; i <= n; i++) add(cp, part[i]) }
  $2 == "kHanyuPinlu" {
    for (i = 1; i <= n; i++) {
      if (match(part[i], /\([0-9]+\)$/)) {
        c = substr(part[i], RSTART + 1, RLENGTH - 2) + 0
        s = toneless(substr(part[i], 1, RSTART - 1))
        add(cp, substr(part[i], 1, RSTART - 1))
        if (s != "") { count[cp, s] += c }
        total[cp] += c
      }
    }
  }
  $2 == "kHanyuPinyin" { classical[cp] = $3 }
  $2 == "kFrequency" { frequency[cp] = $3 + 0 }
  END {
    typical[1] = 5000; typical[2] = 1000; typical[3] = 300; typical[4] = 80; typical[5] = 10
    for (cp in standard) {
      if (syl[cp] == "" && (cp in classical)) {
        n = split(classical[cp], entry, " ")
        for (i = 1; i <= n; i++) { sub(/^[^:]*:/, "", entry[i]); m = split(entry[i], alt, ","); for (j = 1; j <= m; j++) add(cp, alt[j]) }
      }
      n = split(syl[cp], list, " ")
      for (i = 1; i <= n; i++) {
        c = (cp in total) ? count[cp, list[i]] : (frequency[cp] in typical) ? typical[frequency[cp]] : 0
        printf "%s\t%d\t%d\t%d\t%s\n", list[i], c, (cp in total) ? total[cp] : c, cp, utf8(cp + 0)
      }
    }
  }' \
  | sort -t "$(printf '\t')" -k1,1 -k2,2nr -k3,3nr -k4,4n \
  | awk -F'\t' '
      $1 == "#version" { version = $2; next }
      $1 != last {
        if (last == "") printf "{\"format\":1,\"source\":\"Unihan %s: kTGHZ2013 characters, kHanyuPinlu and kFrequency order\",\"syllables\":{\n", version
        else printf "\",\n"
        printf "\"%s\":\"", $1
        last = $1
        syllables++
      }
      { printf "%s", $5; entries++; seen[$4] = 1 }
      END {
        for (c in seen) characters++
        if (syllables < 300 || characters < 5000) { printf "render-pinyin.sh: only %d syllables and %d characters: not a Unihan database\n", syllables, characters > "/dev/stderr"; exit 1 }
        printf "\"\n},\"characters\":%d}\n", characters
        printf "render-pinyin.sh: Unihan %s, %d syllables, %d characters, %d entries\n", version, syllables, characters, entries > "/dev/stderr"
      }' > "$tmp"
mv "$tmp" "$out"
trap - EXIT
echo "render-pinyin.sh: pinyin table in $out ($(wc -c < "$out") bytes)"
