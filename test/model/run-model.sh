#!/bin/sh
# `npm run test:model -- --ops 20000 --seed 42`: runs test/model with MODEL_OPS / MODEL_SEED
# taken from the command line (jest refuses arguments it does not know). A shell script, so that
# eslint (type-aware, TypeScript files only) and prettier have nothing to check here.
set -e
cd "$(dirname "$0")/../.."
while [ $# -gt 0 ]; do
  case "$1" in
    --ops) MODEL_OPS="$2"; export MODEL_OPS; shift 2 ;;
    --ops=*) MODEL_OPS="${1#--ops=}"; export MODEL_OPS; shift ;;
    --seed) MODEL_SEED="$2"; export MODEL_SEED; shift 2 ;;
    --seed=*) MODEL_SEED="${1#--seed=}"; export MODEL_SEED; shift ;;
    --budget-ms) MODEL_BUDGET_MS="$2"; export MODEL_BUDGET_MS; shift 2 ;;
    *) break ;;
  esac
done
exec node --experimental-vm-modules --disable-warning=ExperimentalWarning \
  node_modules/jest/bin/jest.js --runInBand test/model "$@"
