#!/usr/bin/env bash
# Checks the files the RPM will install, without the RPM: the JVM accepts jvm.options, systemd-sysusers
# creates the user and systemd-tmpfiles the directories (owners, modes) in a scratch root, and the sysctl
# and preset files parse. Needs root (for the ownership in the scratch root) and systemd's tools.
set -euo pipefail
[ "$(id -u)" -eq 0 ] || { echo "check-files.sh needs root (file owners in the scratch root)" >&2; exit 1; }
src="$(cd "$(dirname "$0")" && pwd)/src/main"
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT

# jvm.options: the running JDK must accept every option (paths redirected into the scratch root)
mkdir -p "$root/var/lib/shakengate" "$root/var/log/shakengate" "$root/var/cache/shakengate"
sed "s#/var/#$root/var/#g" "$src/config/jvm.options" > "$root/jvm.options"
java @"$root/jvm.options" -Xms64m -Xmx64m -XX:-AlwaysPreTouch -version >/dev/null 2>"$root/java.err" \
  || { echo "jvm.options refused:" >&2; cat "$root/java.err" >&2; exit 1; }

# sysusers + tmpfiles in the scratch root
mkdir -p "$root/etc"
touch "$root/etc/passwd" "$root/etc/group" "$root/etc/shadow" "$root/etc/gshadow"
systemd-sysusers --root="$root" "$src/sysusers/shakengate.conf"
grep -q '^shakengate:x:[0-9]*:[0-9]*:ShakenGate STIR/SHAKEN proxy:/var/lib/shakengate:/sbin/nologin$' "$root/etc/passwd" \
  || { echo "sysusers did not create the shakengate user:" >&2; cat "$root/etc/passwd" >&2; exit 1; }
systemd-tmpfiles --root="$root" --create "$src/tmpfiles/shakengate.conf"
uid=$(awk -F: '$1=="shakengate"{print $3}' "$root/etc/passwd")
gid=$(awk -F: '$1=="shakengate"{print $3}' "$root/etc/group")
check() { # path mode uid gid
  got=$(stat -c '%a %u %g' "$root$1")
  [ "$got" = "$2 $3 $4" ] || { echo "$1: expected mode/uid/gid $2 $3 $4, got $got" >&2; exit 1; }
}
check /etc/shakengate 750 0 "$gid"
check /etc/shakengate/keys 700 "$uid" "$gid"
check /etc/shakengate/sti-ca 750 0 "$gid"

# sysctl: key = integer lines only; preset: enable/disable lines only
grep -v '^\s*\(#\|$\)' "$src/sysctl/50-shakengate.conf" | grep -qv '^net\.[a-z0-9_.]* = [0-9]*$' \
  && { echo "sysctl file: unexpected line" >&2; exit 1; }
grep -v '^\s*\(#\|$\)' "$src/preset/50-shakengate.preset" | grep -qv '^\(enable\|disable\) [a-z.@-]*$' \
  && { echo "preset file: unexpected line" >&2; exit 1; }
# bash completion: the first word completes to the commands, cert's second to its subcommands
complete_words() { # words...: what the completion offers for the last one
  bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _shakengate; echo "${COMPREPLY[*]}"' _ \
    "$src/completion/shakengate" "$@"
}
[ "$(complete_words shakengate ch)" = "check-config" ] || { echo "completion of 'ch': $(complete_words shakengate ch)" >&2; exit 1; }
[ "$(complete_words shakengate cert re)" = "renew" ] || { echo "completion of 'cert re': $(complete_words shakengate cert re)" >&2; exit 1; }
# the man page: every command of the usage line is described, and it formats without warnings where groff is
for c in run check-config demo version keygen csr cert status; do
  m=${c//-/'\-'}   # groff's hyphen
  grep -qF -- "$m" "$src/man/shakengate.8" || { echo "shakengate.8 does not describe '$c'" >&2; exit 1; }
done
if command -v groff >/dev/null; then
  warn=$(groff -man -ww -z "$src/man/shakengate.8" 2>&1) || true
  [ -z "$warn" ] || { echo "shakengate.8: $warn" >&2; exit 1; }
fi
echo "packaging files: jvm.options accepted by $(java -version 2>&1 | sed -n 1p); user $uid:$gid and directories created"
