#!/usr/bin/env bash
# Installs the system packages the platform needs, idempotently: ffmpeg (transcoding, probing),
# Ceph's RADOS Gateway (a local S3 server for tests), Varnish (the edge cache of deploy/varnish,
# started by its tests), Prometheus for promtool (checks deploy/prometheus) and HAProxy (the load
# balancer of the cluster tests, deploy/haproxy). Debian/Ubuntu, run
# as root (or with sudo).
set -euo pipefail
need=()
command -v ffmpeg >/dev/null && command -v ffprobe >/dev/null || need+=(ffmpeg)
command -v radosgw >/dev/null || need+=(radosgw)
command -v ceph-mon >/dev/null || need+=(ceph-mon)
command -v ceph-osd >/dev/null || need+=(ceph-osd)
[ -x /usr/sbin/varnishd ] || command -v varnishd >/dev/null || need+=(varnish)
command -v promtool >/dev/null || need+=(prometheus)
[ -x /usr/sbin/haproxy ] || command -v haproxy >/dev/null || need+=(haproxy)   # the load balancer of test/cluster
if [ "${SETUP_BROWSER:-0}" = 1 ]; then command -v chromium >/dev/null || need+=(chromium); fi
if [ "${SETUP_BROWSER:-0}" = 1 ]; then command -v openssl >/dev/null || need+=(openssl); fi   # a test's self-signed certificate
if [ ${#need[@]} -eq 0 ]; then echo "setup: system packages already installed"; exit 0; fi
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
echo "setup: installing ${need[*]}"
$SUDO apt-get update -q >/dev/null
$SUDO apt-get install -y -q --no-install-recommends "${need[@]}" >/dev/null
echo "setup: done"
