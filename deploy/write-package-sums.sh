#!/usr/bin/env bash
# Writes PACKAGE/SHA256SUMS: the SHA-256 of every file in the package folder except SHA256SUMS itself, one
# "HASH  PATH" line each as sha256sum writes them, paths relative to the folder and sorted. install.ps1 refuses a
# package whose files differ from it (one missing, added or changed); check one by hand with
#   cd PACKAGE && sha256sum -c SHA256SUMS
# ./kiosk.sh publish runs this last, after everything else is in the package.
set -euo pipefail
package="${1:?usage: deploy/write-package-sums.sh PACKAGE_FOLDER}"
cd "$package"
rm -f SHA256SUMS SHA256SUMS.partial
# Symbolic links are left out on purpose: install.ps1 refuses a package that holds one.
find . -type f ! -name SHA256SUMS.partial -printf '%P\0' | LC_ALL=C sort -z | xargs -0 -r sha256sum -- > SHA256SUMS.partial
mv SHA256SUMS.partial SHA256SUMS
