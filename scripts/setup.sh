#!/usr/bin/env bash
# Installs the system packages the platform needs, idempotently: ffmpeg (transcoding, probing)
# and Ceph's RADOS Gateway (a local S3 server for tests). Debian/Ubuntu, run as root (or with sudo).
set -euo pipefail
need=()
command -v ffmpeg >/dev/null && command -v ffprobe >/dev/null || need+=(ffmpeg)
command -v radosgw >/dev/null || need+=(radosgw)
command -v ceph-mon >/dev/null || need+=(ceph-mon)
command -v ceph-osd >/dev/null || need+=(ceph-osd)
if [ "${SETUP_BROWSER:-0}" = 1 ]; then command -v chromium >/dev/null || need+=(chromium); fi
if [ "${SETUP_BROWSER:-0}" = 1 ]; then command -v openssl >/dev/null || need+=(openssl); fi   # a test's self-signed certificate
if [ ${#need[@]} -eq 0 ]; then echo "setup: system packages already installed"; exit 0; fi
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
echo "setup: installing ${need[*]}"
$SUDO apt-get update -q >/dev/null
$SUDO apt-get install -y -q --no-install-recommends "${need[@]}" >/dev/null
echo "setup: done"
