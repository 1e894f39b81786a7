#!/bin/sh
# Runs inside the booted container (probe.service): drives the installed shakengate.service and writes one
# line per check to /var/lib/probe/result, then powers the container off. Not /tmp: nspawn mounts a tmpfs there.
out=/var/lib/probe/result
mkdir -p /var/lib/probe
: > "$out"
ok() { echo "ok   $1" >> "$out"; }
bad() { echo "FAIL $1${2:+: $2}" >> "$out"; }
prop() { systemctl show -p "$1" --value shakengate.service; }
wait_state() { # state seconds
  i=0
  while [ "$i" -lt "$2" ]; do [ "$(prop ActiveState)" = "$1" ] && return 0; sleep 1; i=$((i + 1)); done
  return 1
}

# (not is-system-running --wait: this probe is itself part of the boot it would wait for)
if wait_state active 90 && [ "$(prop SubState)" = running ]; then ok "shakengate.service active (Type=notify: READY=1 came)"
else bad "shakengate.service active" "$(prop ActiveState)/$(prop SubState) $(journalctl -b -u shakengate --no-pager | tail -n 20)"; fi
pid=$(prop MainPID)
user=$(ps -o user= -p "$pid" | tr -d ' ')
[ "$user" = shakengate ] && ok "main process $pid runs as shakengate" || bad "runs as shakengate" "user '$user'"
comm=$(ps -o comm= -p "$pid" | tr -d ' ')
[ "$comm" = java ] && ok "the main process is the JVM" || bad "the main process is the JVM" "$comm"
ss -Hlunp 'sport = :5060' | grep -q "pid=$pid," && ok "holds 5060/udp" || bad "holds 5060/udp" "$(ss -Hlunp)"
ss -Hltnp 'sport = :5060' | grep -q "pid=$pid," && ok "holds 5060/tcp" || bad "holds 5060/tcp" "$(ss -Hltnp)"
caps=$(grep CapEff /proc/"$pid"/status | awk '{print $2}')
[ "$caps" = 0000000000000400 ] && ok "only CAP_NET_BIND_SERVICE effective" || bad "capabilities" "CapEff $caps"

for t in u1 t1; do
  if sipp -sf /usr/local/share/probe/redirect-uac.xml -t "$t" -m 1 -timeout 20 -timeout_error -nostdin \
      -trace_err -error_file /var/lib/probe/sipp-$t.err 127.0.0.1:5060 >/var/lib/probe/sipp-$t.log 2>&1; then
    ok "SIPp call over $t: 302 with an Identity header"
  else bad "SIPp call over $t" "$(tail -n 20 /var/lib/probe/sipp-$t.err 2>/dev/null)"; fi
done

systemctl reload shakengate.service
sleep 2
[ "$(prop MainPID)" = "$pid" ] && [ "$(prop ActiveState)" = active ] && ok "reload keeps PID $pid, still active" \
  || bad "reload keeps the PID" "$(prop MainPID) $(prop ActiveState)"
journalctl -b -u shakengate --no-pager | grep -qi "reload" && ok "the reload is in the journal" \
  || bad "the reload is in the journal" "$(journalctl -b -u shakengate --no-pager | tail -n 5)"
if sipp -sf /usr/local/share/probe/redirect-uac.xml -t u1 -m 1 -timeout 20 -timeout_error -nostdin \
    127.0.0.1:5060 >/dev/null 2>&1; then ok "a call after the reload"; else bad "a call after the reload"; fi
# Netty warns once that it found no hardware address for its channel ids: the container has only loopback
warn=$(journalctl -b -u shakengate -p warning --no-pager -q | grep -v 'hardware address\|MacAddressUtil' | head -n 5)
[ -z "$warn" ] && ok "no warning or error in the journal" || bad "no warning or error in the journal" "$warn"

# SIGQUIT (the unit's WatchdogSignal) makes the JVM print a thread dump to the journal and go on running
qpid=$(prop MainPID)
kill -QUIT "$qpid"
sleep 2
if journalctl -b -u shakengate --no-pager | grep -q "Full thread dump" && [ "$(prop MainPID)" = "$qpid" ]; then
  ok "SIGQUIT: a thread dump in the journal, same PID"
else bad "SIGQUIT thread dump" "$(journalctl -b -u shakengate --no-pager | tail -n 5)"; fi

# watchdog: with WatchdogSec=5s (a runtime drop-in), a frozen JVM (SIGSTOP) stops pinging; systemd aborts it
# (SIGQUIT, then SIGKILL after TimeoutAbortSec) and Restart=on-failure starts a new one
mkdir -p /run/systemd/system/shakengate.service.d
printf '[Service]\nWatchdogSec=5s\n' > /run/systemd/system/shakengate.service.d/50-probe-watchdog.conf
systemctl daemon-reload
systemctl restart shakengate.service
if wait_state active 60; then
  frozen=$(prop MainPID)
  kill -STOP "$frozen"
  i=0
  while [ "$i" -lt 60 ]; do
    now=$(prop MainPID)
    [ "$now" != "$frozen" ] && [ "$now" != 0 ] && [ "$(prop ActiveState)" = active ] && break
    sleep 1; i=$((i + 1))
  done
  if [ "$(prop MainPID)" != "$frozen" ] && [ "$(prop ActiveState)" = active ]; then
    ok "a frozen JVM is killed by the watchdog and restarted ($frozen -> $(prop MainPID), ${i} s)"
  else bad "watchdog restart" "$(prop MainPID) $(prop ActiveState)/$(prop SubState)"; fi
  journalctl -b -u shakengate --no-pager | grep -q "Watchdog timeout" && ok "the journal says: Watchdog timeout" \
    || bad "the journal says: Watchdog timeout" "$(journalctl -b -u shakengate --no-pager | tail -n 8)"
else bad "restart with the watchdog drop-in" "$(prop ActiveState)"; fi
rm -f /run/systemd/system/shakengate.service.d/50-probe-watchdog.conf
systemctl daemon-reload

start=$(date +%s)
systemctl stop shakengate.service
took=$(( $(date +%s) - start ))
result=$(prop Result)
[ "$result" = success ] && ok "stop drains and ends in success (${took} s)" \
  || bad "stop ends in success" "Result=$result ExecMainStatus=$(prop ExecMainStatus)"
journalctl -b -u shakengate --no-pager > /var/lib/probe/journal.txt
echo done >> "$out"
systemctl poweroff
