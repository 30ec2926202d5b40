#!/bin/sh
# `npm run test:stress -- --ops 20000 --seed 7 --clients 16 --kill-rate 0.01`: the concurrency
# stress harness (test/stress) on the PostgreSQL server of TEST_DATABASE_URL (default: the local
# one), with its knobs taken from the command line (jest refuses arguments it does not know).
set -e
cd "$(dirname "$0")/../.."
: "${TEST_DATABASE_URL:=postgres://postgres@127.0.0.1:5432/test}"
export TEST_DATABASE_URL
while [ $# -gt 0 ]; do
  case "$1" in
    --ops) STRESS_OPS="$2"; export STRESS_OPS; shift 2 ;;
    --seed) STRESS_SEED="$2"; export STRESS_SEED; shift 2 ;;
    --clients) STRESS_CLIENTS="$2"; export STRESS_CLIENTS; shift 2 ;;
    --kill-rate) STRESS_KILL_RATE="$2"; export STRESS_KILL_RATE; shift 2 ;;
    *) break ;;
  esac
done
exec node --experimental-vm-modules --disable-warning=ExperimentalWarning \
  node_modules/jest/bin/jest.js --runInBand test/stress "$@"
