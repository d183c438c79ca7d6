#!/usr/bin/env bash
# Adds Debian's bookworm-backports suite to apt's sources, on the mirror this
# machine already uses for Debian (the URIs of its configured main suite), so
# no mirror host is written down anywhere. Idempotent.
set -euo pipefail
# APT_ROOT: a folder standing in for / (tests); empty on a real machine.
etc="${APT_ROOT:-}/etc/apt"

if grep -rqs 'bookworm-backports' "$etc/sources.list" "$etc/sources.list.d/"; then exit 0; fi

# deb822 sources: the URIs of the stanza whose Suites include plain "bookworm".
shopt -s nullglob
deb822=("$etc"/sources.list.d/*.sources)
uri=""
if [ ${#deb822[@]} -gt 0 ]; then uri=$(awk '
  /^[[:space:]]*$/ { if (suite && uri) { print uri; exit } suite = 0; uri = ""; next }
  /^URIs:/ { uri = $2 }
  /^Suites:/ { for (i = 2; i <= NF; i++) if ($i == "bookworm") suite = 1 }
  END { if (suite && uri) print uri }
' "${deb822[@]}" | head -n1); fi

# One-line sources.list: deb [options] URI bookworm components...
if [ -z "$uri" ] && [ -f "$etc/sources.list" ]; then
  uri=$(awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { if ($(i + 1) == "bookworm") { print $i; exit } } }' "$etc/sources.list")
fi

if [ -z "$uri" ]; then
  echo "add-backports: no configured Debian bookworm source found in $etc; add bookworm-backports by hand" >&2
  exit 1
fi

printf 'Types: deb\nURIs: %s\nSuites: bookworm-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' "$uri" \
  > "$etc/sources.list.d/bookworm-backports.sources"
echo "add-backports: bookworm-backports from $uri"
