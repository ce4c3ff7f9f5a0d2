#!/bin/sh
# Installs the Debian 12 packages relc builds and tests with. Run as root (or via sudo).
set -eu
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
$SUDO apt-get update
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends \
  g++ libtsan2 cmake make pkg-config file binutils dpkg-dev \
  libcaf-dev libcli11-dev libyaml-cpp-dev catch2 libarchive-dev zlib1g-dev \
  libssl-dev openssl busybox
