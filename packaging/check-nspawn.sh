#!/usr/bin/env bash
# Boots the RPM for real: a Debian root (debootstrap: systemd, a JRE, SIPp), the package installed into it
# WITH its scriptlets, then the root booted under systemd-nspawn (private network: loopback only), where
# src/test/nspawn/probe.sh checks the installed service: active through READY=1, 5060/udp+tcp held by the
# JVM as user shakengate with only CAP_NET_BIND_SERVICE, a SIPp call over UDP and TCP gets a 302 with an
# Identity header, a reload keeps the PID, a stop drains and ends in success.
# Needs root, network access to a Debian mirror for the first debootstrap (about 1 min), and the RPM that
# mvn package built. The root is kept in $NSPAWN_ROOT (default packaging/target/nspawn-root) for reruns.
# Prints one line per check and "N passed, M failed"; exits 1 if any failed.
set -uo pipefail
[ "$(id -u)" -eq 0 ] || { echo "check-nspawn.sh needs root" >&2; exit 1; }
here="$(cd "$(dirname "$0")" && pwd)"
rpm=$(ls -t "$here"/target/rpmbuild/RPMS/noarch/shakengate-*.noarch.rpm 2>/dev/null | head -n 1)
[ -n "$rpm" ] || { echo "no RPM: run mvn package with rpmbuild installed" >&2; exit 1; }
for tool in debootstrap systemd-nspawn rpm; do
  command -v "$tool" >/dev/null || { echo "$tool is missing (apt-get install debootstrap systemd-container rpm)" >&2; exit 1; }
done
root=${NSPAWN_ROOT:-$here/target/nspawn-root}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}

if [ ! -x "$root/usr/bin/java" ] || [ ! -x "$root/usr/bin/sipp" ]; then
  rm -rf "$root"
  echo "debootstrap bookworm into $root ..."
  debootstrap --variant=minbase \
    --include=systemd,systemd-sysv,dbus,passwd,procps,iproute2,openjdk-17-jre-headless,sip-tester \
    bookworm "$root" "$mirror" > "$root.debootstrap.log" 2>&1 \
    || { echo "debootstrap failed: see $root.debootstrap.log" >&2; exit 1; }
fi
# a fresh install each run, with scriptlets (the root has a shell, getent and useradd)
rpm --root "$root" --dbpath /var/lib/rpm -q shakengate >/dev/null 2>&1 \
  && rpm --root "$root" --dbpath /var/lib/rpm -e --nodeps shakengate >/dev/null 2>&1
rm -rf "$root/etc/shakengate" "$root/var/lib/probe"
rpm --root "$root" --dbpath /var/lib/rpm -i --nodeps "$rpm" 2>&1 | grep -v 'Alien' \
  ; [ "${PIPESTATUS[0]}" -eq 0 ] || { echo "rpm -i into the root failed" >&2; exit 1; }
uid=$(awk -F: '$1=="shakengate"{print $3}' "$root/etc/passwd")
[ -n "$uid" ] || { echo "%pre did not create the shakengate user" >&2; exit 1; }
# the operator's step after installing: a signing key (made with the installed jars and the host's JVM)
sed "s#/usr/share/shakengate#$root/usr/share/shakengate#" "$root/usr/bin/shakengate" > "$root.launcher"
sh "$root.launcher" keygen "$root/etc/shakengate/keys" >/dev/null || { echo "keygen failed" >&2; exit 1; }
chown "$uid:$uid" "$root"/etc/shakengate/keys/*
# the probe, started after multi-user.target
install -D -m 0644 "$here/src/test/nspawn/probe.sh" "$root/usr/local/share/probe/probe.sh"
install -D -m 0644 "$here/src/test/nspawn/redirect-uac.xml" "$root/usr/local/share/probe/redirect-uac.xml"
install -D -m 0644 "$here/src/test/nspawn/probe.service" "$root/etc/systemd/system/probe.service"
mkdir -p "$root/etc/systemd/system/multi-user.target.wants"
ln -sf ../probe.service "$root/etc/systemd/system/multi-user.target.wants/probe.service"

echo "booting $root under systemd-nspawn ..."
start=$(date +%s)
timeout 300 systemd-nspawn -q -b -D "$root" --register=no --keep-unit --private-network \
  > "$root.boot.log" 2>&1
echo "container ran $(( $(date +%s) - start )) s (console: $root.boot.log)"
passed=0 failed=0
enabled=no
[ -L "$root/etc/systemd/system/multi-user.target.wants/shakengate.service" ] && enabled=yes
if [ "$enabled" = yes ]; then echo "ok   %post enabled the service (preset)"; passed=$((passed + 1))
else echo "FAIL %post enabled the service (preset)"; failed=$((failed + 1)); fi
if [ -s "$root/var/lib/probe/result" ]; then
  cat "$root/var/lib/probe/result" | grep -v '^done$'
  passed=$((passed + $(grep -c '^ok' "$root/var/lib/probe/result")))
  failed=$((failed + $(grep -c '^FAIL' "$root/var/lib/probe/result")))
  grep -qx done "$root/var/lib/probe/result" || { echo "FAIL the probe did not finish"; failed=$((failed + 1)); }
else
  echo "FAIL the probe wrote no result"; failed=$((failed + 1))
  tail -n 30 "$root.boot.log"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
