#!/usr/bin/env bash
# System packages the tests need: LibreOffice Calc headless (recalculates and renders the books),
# poppler-utils (PDF → PNG), fonts with Cyrillic and Node.js. Installs only what is missing.
set -euo pipefail

missing=()
command -v soffice >/dev/null 2>&1 || missing+=(libreoffice-calc-nogui)
command -v pdftoppm >/dev/null 2>&1 || missing+=(poppler-utils)
fc-list 2>/dev/null | grep -qi "dejavu" || missing+=(fonts-dejavu-core)
fc-list 2>/dev/null | grep -qi "liberation" || missing+=(fonts-liberation2)
fc-list 2>/dev/null | grep -qi "carlito" || missing+=(fonts-crosextra-carlito)
# python3-uno: the tests ask LibreOffice which VBA modules and buttons it loaded
/usr/bin/python3 -c "import uno" >/dev/null 2>&1 || missing+=(python3-uno)
# nodejs: runs the JavaScript the МНЦ's server hands to an Office.js add-in
command -v node >/dev/null 2>&1 || missing+=(nodejs)
if [ ${#missing[@]} -eq 0 ]; then
  echo "system-deps: LibreOffice, poppler-utils, fonts and Node.js are present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "system-deps: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
  SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
echo "system-deps: installing ${missing[*]}"

# On Debian 12 LibreOffice 25.x (XLOOKUP, SORT, UNIQUE) comes from bookworm-backports.
target=()
if grep -q 'VERSION_CODENAME=bookworm' /etc/os-release 2>/dev/null && [[ " ${missing[*]} " == *" libreoffice-calc-nogui "* || " ${missing[*]} " == *" python3-uno "* ]]; then
  if ! grep -rqs "bookworm-backports" /etc/apt/sources.list /etc/apt/sources.list.d/; then
    echo "deb http://deb.debian.org/debian bookworm-backports main" | $SUDO tee /etc/apt/sources.list.d/bookworm-backports.list >/dev/null
  fi
  target=(-t bookworm-backports)
fi
$SUDO apt-get update -qq
if [[ " ${missing[*]} " == *" libreoffice-calc-nogui "* ]]; then
  $SUDO apt-get install -y -qq "${target[@]}" libreoffice-calc-nogui >/dev/null
fi
if [[ " ${missing[*]} " == *" python3-uno "* ]]; then
  $SUDO apt-get install -y -qq "${target[@]}" python3-uno >/dev/null
fi
others=()
for p in "${missing[@]}"; do [ "$p" = libreoffice-calc-nogui ] || [ "$p" = python3-uno ] || others+=("$p"); done
if [ ${#others[@]} -gt 0 ]; then
  $SUDO apt-get install -y -qq --no-install-recommends "${others[@]}" >/dev/null
fi
soffice --version
