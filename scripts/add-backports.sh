#!/usr/bin/env bash
# Adds Debian's bookworm-backports suite to apt's sources, on the mirror this
# machine already uses for Debian (the URIs of its configured main suite), so
# no mirror host is written down anywhere. Idempotent.
set -euo pipefail

if grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then exit 0; fi

# deb822 sources: the URIs of the stanza whose Suites include plain "bookworm".
uri=$(awk '
  /^[[:space:]]*$/ { if (suite && uri) { print uri; exit } suite = 0; uri = ""; next }
  /^URIs:/ { uri = $2 }
  /^Suites:/ { for (i = 2; i <= NF; i++) if ($i == "bookworm") suite = 1 }
  END { if (suite && uri) print uri }
' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n1)

# One-line sources.list: deb [options] URI bookworm components...
if [ -z "$uri" ] && [ -f /etc/apt/sources.list ]; then
  uri=$(awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { if ($(i + 1) == "bookworm") { print $i; exit } } }' /etc/apt/sources.list)
fi

if [ -z "$uri" ]; then
  echo "add-backports: no configured Debian bookworm source found in /etc/apt; add bookworm-backports by hand" >&2
  exit 1
fi

printf 'Types: deb\nURIs: %s\nSuites: bookworm-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' "$uri" \
  > /etc/apt/sources.list.d/bookworm-backports.sources
echo "add-backports: bookworm-backports from $uri"
