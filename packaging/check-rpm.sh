#!/usr/bin/env bash
# Checks the RPM that `mvn package` built (packaging/target/rpmbuild/RPMS/noarch): rpmlint with the
# project's settings, `rpm -qp` assertions on files, modes, owners, config flags, scriptlets and
# requirements, the installed layout in a scratch root (rpm -V clean, the installed command runs, the
# packaged configuration passes check-config with a fresh key), and an upgrade that keeps an edited
# configuration. Needs root (file owners in the scratch root), rpm and rpmlint.
# Prints one line per check and ends with "N passed, M failed"; exits 1 if any failed.
set -uo pipefail
[ "$(id -u)" -eq 0 ] || { echo "check-rpm.sh needs root (file owners in the scratch root)" >&2; exit 1; }
here="$(cd "$(dirname "$0")" && pwd)"
rpms="$here/target/rpmbuild/RPMS/noarch"
rpm=$(ls -t "$rpms"/shakengate-*.noarch.rpm 2>/dev/null | head -n 1)
[ -n "$rpm" ] || { echo "no RPM in $rpms: run mvn package with rpmbuild installed" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0 failed=0
ok() { echo "ok   $1"; passed=$((passed + 1)); }
bad() { echo "FAIL $1"; [ -n "${2:-}" ] && printf '%s\n' "$2" | sed 's/^/     /'; failed=$((failed + 1)); }
check() { # name command...: passes when the command succeeds
  local name=$1; shift
  local out
  if out=$("$@" 2>&1); then ok "$name"; else bad "$name" "$out"; fi
}
echo "checking $(basename "$rpm")"

# 1. rpmlint, strict: every finding not explained in rpmlint.toml fails
check "rpmlint --strict with src/rpm/rpmlint.toml" rpmlint --strict -c "$here/src/rpm/rpmlint.toml" "$rpm"

# 2. rpm -qp: mode, owner, group, flags (c = config, n = noreplace, d = doc) of the files that matter
rpm -qp --qf '[%{FILEMODES:perms} %{FILEUSERNAME} %{FILEGROUPNAME} %{FILEFLAGS:fflags} %{FILENAMES}\n]' "$rpm" \
  > "$work/files" 2>/dev/null
expect_file() { # exact line from the listing above
  if grep -qxF -- "$1" "$work/files"; then ok "file: $1"; else
    bad "file: $1" "$(grep -F -- "${1##* }" "$work/files" || echo "(not in the package)")"; fi
}
expect_file 'drwxr-x--- root shakengate  /etc/shakengate'
expect_file '-rw-r----- root shakengate cn /etc/shakengate/shakengate.yaml'
expect_file '-rw-r----- root shakengate cn /etc/shakengate/jvm.options'
expect_file '-rw-r--r-- root root cn /etc/sysconfig/shakengate'
expect_file 'drwx------ shakengate shakengate  /etc/shakengate/keys'
expect_file 'drwxr-x--- root shakengate  /etc/shakengate/sti-ca'
expect_file 'drwxr-x--- shakengate shakengate  /var/lib/shakengate'
expect_file 'drwxr-x--- shakengate shakengate  /var/log/shakengate'
expect_file 'drwxr-x--- shakengate shakengate  /var/cache/shakengate'
expect_file '-rwxr-xr-x root root  /usr/bin/shakengate'
expect_file '-rw-r--r-- root root  /usr/lib/systemd/system/shakengate.service'
expect_file '-rw-r--r-- root root  /usr/lib/sysusers.d/shakengate.conf'
expect_file '-rw-r--r-- root root  /usr/lib/tmpfiles.d/shakengate.conf'
expect_file '-rw-r--r-- root root  /usr/lib/sysctl.d/50-shakengate.conf'
expect_file '-rw-r--r-- root root  /usr/lib/systemd/system-preset/50-shakengate.preset'
expect_file 'drwxr-xr-x root root  /usr/share/shakengate/lib'
expect_file '-rw-r--r-- root root d /usr/share/doc/shakengate/shakengate.example.yaml'
expect_file '-rw-r--r-- root root  /usr/share/shakengate/grafana/shakengate-dashboard.json'
expect_file '-rw-r--r-- root root  /usr/share/bash-completion/completions/shakengate'
# the man page (compressed by rpmbuild where brp-compress runs)
if grep -qE '^-rw-r--r-- root root d? /usr/share/man/man8/shakengate\.8(\.gz)?$' "$work/files"; then ok "file: shakengate(8)"
else bad "file: shakengate(8)" "$(grep -F man8 "$work/files" || echo "(not in the package)")"; fi
# no key is ever packaged
if grep -q '/etc/shakengate/keys/' "$work/files"; then bad "no file under /etc/shakengate/keys" "$(grep keys/ "$work/files")"
else ok "no file under /etc/shakengate/keys"; fi
# the package owns only its own directories, never a shared one (/etc, /usr/lib/systemd/system, ...)
foreign=$(awk '$1 ~ /^d/ {print $NF}' "$work/files" | grep -vE '^(/etc/shakengate(/.*)?|/usr/share/shakengate(/.*)?|/usr/share/doc/shakengate|/var/(lib|log|cache)/shakengate)$')
if [ -z "$foreign" ]; then ok "owns no shared directory"; else bad "owns no shared directory" "$foreign"; fi
# the jars: exactly the appliance's runtime class path (proxy/target/lib + the proxy jar)
proxy_jar=$(ls "$here"/../proxy/target/shakengate-proxy-*.jar | grep -v -e sources -e tests | head -n 1)
(ls "$here/../proxy/target/lib"; basename "$proxy_jar") | sort > "$work/jars.expected"
grep -o '/usr/share/shakengate/lib/[^/]*\.jar$' "$work/files" | xargs -n1 basename | sort > "$work/jars.packaged"
check "jars = the appliance's runtime class path" diff "$work/jars.expected" "$work/jars.packaged"
check "netty's epoll library is packaged" grep -q 'netty-transport-native-epoll-.*-linux-x86_64.jar' "$work/jars.packaged"

# 3. scriptlets and requirements
rpm -qp --scripts "$rpm" > "$work/scripts" 2>/dev/null
expect_script() { if grep -qF -- "$1" "$work/scripts"; then ok "scriptlet: $1"; else bad "scriptlet: $1" "$(cat "$work/scripts")"; fi; }
expect_script 'getent group shakengate >/dev/null || groupadd -r shakengate'
expect_script 'useradd -r -g shakengate -d /var/lib/shakengate -s /sbin/nologin'
expect_script 'systemctl --no-reload preset shakengate.service'
expect_script 'systemctl --no-reload disable --now shakengate.service'
if grep -qE 'try-restart|restart' "$work/scripts"; then bad "no restart on upgrade" "$(grep -E restart "$work/scripts")"
else ok "no restart on upgrade"; fi
rpm -qpR "$rpm" > "$work/requires" 2>/dev/null
check "requires java-17-openjdk-headless" grep -qx 'java-17-openjdk-headless' "$work/requires"
check "requires(pre) useradd" grep -qx '/usr/sbin/useradd' "$work/requires"
check "noarch" test "$(rpm -qp --qf '%{ARCH}' "$rpm" 2>/dev/null)" = noarch

# 4. install into an empty root (no shell there, so no scriptlets), rpm -V, then run what was installed
root="$work/root"
mkdir -p "$root"
rpm --root "$root" --dbpath /var/lib/rpm --initdb
check "installs into a scratch root" rpm --root "$root" --dbpath /var/lib/rpm -i --nodeps --noscripts "$rpm"
check "rpm -V is clean" rpm --root "$root" --dbpath /var/lib/rpm -V --nodeps shakengate
launcher() { # the installed /usr/bin/shakengate, its class path moved into the scratch root
  sed "s#/usr/share/shakengate#$root/usr/share/shakengate#" "$root/usr/bin/shakengate" > "$work/launcher"
  sh "$work/launcher" "$@"
}
check "installed command: version" launcher version
mkdir -p "$work/keys"
check "installed command: keygen" launcher keygen "$work/keys"
sed "s#/etc/shakengate/keys#$work/keys#" "$root/etc/shakengate/shakengate.yaml" > "$work/shakengate.yaml"
check "the packaged configuration passes check-config (with a key)" launcher check-config "$work/shakengate.yaml"
# without a key: configuration error (exit 3) naming the setting
launcher check-config "$root/etc/shakengate/shakengate.yaml" > "$work/nokey" 2>&1
rc=$?
if [ "$rc" -eq 3 ] && grep -q 'signing.key' "$work/nokey"; then ok "without a key: exit 3 naming signing.key"
else bad "without a key: exit 3 naming signing.key" "exit $rc: $(cat "$work/nokey")"; fi

# 5. upgrade: an edited configuration survives (%config(noreplace)); a changed default arrives as .rpmnew
echo "# edited by the operator" >> "$root/etc/shakengate/shakengate.yaml"
topdir="$work/rpmbuild"
mkdir -p "$topdir"
cp -r "$here/target/rpmbuild/SOURCES" "$topdir/"
echo "# a changed default" >> "$topdir/SOURCES/config/shakengate.yaml"
version=$(rpm -qp --qf '%{VERSION}' "$rpm" 2>/dev/null)
release=$(rpm -qp --qf '%{RELEASE}' "$rpm" 2>/dev/null)
check "rpmbuild of a next release" rpmbuild -bb --quiet --define "_topdir $topdir" --define "pkg_version $version" \
  --define "pkg_release $release.1" "$here/src/rpm/shakengate.spec"
check "upgrades in the scratch root" rpm --root "$root" --dbpath /var/lib/rpm -U --nodeps --noscripts \
  "$topdir/RPMS/noarch/shakengate-$version-$release.1.noarch.rpm"
check "the edited configuration is kept" grep -q 'edited by the operator' "$root/etc/shakengate/shakengate.yaml"
check "the new default arrives as .rpmnew" grep -q 'a changed default' "$root/etc/shakengate/shakengate.yaml.rpmnew"
check "erases cleanly" rpm --root "$root" --dbpath /var/lib/rpm -e --nodeps --noscripts shakengate
check "erase keeps the edited configuration as .rpmsave" test -f "$root/etc/shakengate/shakengate.yaml.rpmsave"
check "erase removes the jars" test ! -e "$root/usr/share/shakengate"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
