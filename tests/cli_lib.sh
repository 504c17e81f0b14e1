# Sourced by the command-line test scripts (tests/test_*.sh PKSIM SRC):
# their two arguments, a private temporary directory removed on exit, and
# the counters: ok counts a passed check, bad a failed one with its reason.
set -u
pksim=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
