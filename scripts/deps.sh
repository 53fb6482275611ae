#!/bin/sh
# Installs the Debian packages the build and the tests need, when some are
# missing. Usage: scripts/deps.sh PACKAGE...
# As root it calls apt-get directly; otherwise through sudo. On a system
# without apt-get it says what to install and stops.
set -eu

missing=""
if command -v dpkg-query >/dev/null 2>&1; then
	for p in "$@"; do
		status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
		case "$status" in
		*"install ok installed"*) ;;
		*) missing="$missing $p" ;;
		esac
	done
else
	missing=" $*"
fi

if [ -n "$missing" ]; then
	if ! command -v apt-get >/dev/null 2>&1; then
		cat >&2 <<MSG
This system has no apt-get, so the packages cannot be installed for you.
Install the equivalents of these Debian packages with your system's package
manager, then run make again:
 $missing
  Fedora:  sudo dnf install tesseract tesseract-langpack-spa tesseract-devel leptonica-devel sane-backends-devel sane-backends mesa-libGL-devel libXcursor-devel libXrandr-devel libXinerama-devel libXi-devel libXxf86vm-devel xorg-x11-server-Xvfb poppler-utils cups postgresql-server
  macOS:   brew install tesseract tesseract-lang leptonica sane-backends poppler pkg-config
  Windows: see README.md (MSYS2 packages for cgo).
MSG
		exit 1
	fi
	if [ "$(id -u)" -eq 0 ]; then
		SUDO=""
	elif command -v sudo >/dev/null 2>&1; then
		SUDO="sudo"
	else
		echo "Missing packages:$missing" >&2
		echo "Run as root, or install sudo, so that they can be installed." >&2
		exit 1
	fi
	echo "Installing:$missing"
	export DEBIAN_FRONTEND=noninteractive
	$SUDO apt-get update -qq
	# shellcheck disable=SC2086
	$SUDO apt-get install -y -qq --no-install-recommends $missing
fi

if ! command -v go >/dev/null 2>&1; then
	cat >&2 <<MSG
Go is not installed. Radicador needs Go 1.26 or newer: install it from
https://go.dev/dl/ (the tarball into /usr/local/go, with /usr/local/go/bin on
PATH), then run make again. Debian's golang package is too old.
MSG
	exit 1
fi
