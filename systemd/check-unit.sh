#!/usr/bin/env bash
# Checks the unit: `systemd-analyze verify` prints nothing and the offline security exposure is at most 2.0.
# Usage: systemd/check-unit.sh [MAX_EXPOSURE]
set -euo pipefail
unit="$(cd "$(dirname "$0")" && pwd)/src/main/systemd/shakengate.service"
max="${1:-2.0}"
out=$(systemd-analyze verify "$unit" 2>&1) || { echo "systemd-analyze verify failed: $out" >&2; exit 1; }
if [ -n "$out" ]; then
  echo "systemd-analyze verify is not silent:" >&2
  echo "$out" >&2
  exit 1
fi
score=$(systemd-analyze security --offline=yes "$unit" 2>&1 | sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
if [ -z "$score" ]; then
  echo "no exposure level from systemd-analyze security" >&2
  exit 1
fi
if awk -v s="$score" -v m="$max" 'BEGIN { exit !(s > m) }'; then
  echo "exposure $score is above $max" >&2
  exit 1
fi
echo "shakengate.service: verify silent, exposure $score (at most $max)"
