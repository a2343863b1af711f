#!/bin/sh
# Installs the Debian packages Songgram needs, only those that are missing.
# Idempotent: a second run checks with dpkg and does nothing.
set -eu
PACKAGES="libfluidsynth3 fluidsynth fluid-soundfont-gm timgm6mb-soundfont musescore-general-soundfont timidity musescore3 festival festvox-kallpc16k espeak-ng"
missing=""
for p in $PACKAGES; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done
[ -z "$missing" ] && exit 0
echo "songgram setup: installing Debian packages:$missing"
SUDO=""
if [ "$(id -u)" != "0" ]; then
    command -v sudo >/dev/null 2>&1 || { echo "songgram setup: need root or sudo to install:$missing" >&2; exit 1; }
    SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
