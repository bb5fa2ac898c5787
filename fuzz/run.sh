#!/usr/bin/env bash
# Run one fuzz target on the stable toolchain.
#   fuzz/run.sh TARGET [SECONDS] [extra libFuzzer args…]
#   fuzz/run.sh list            # the targets
# Env: FUZZ_ASAN=1 keeps AddressSanitizer (RUSTC_BOOTSTRAP=1, ~6x slower; nothing here is unsafe,
#      so the default is --sanitizer none), FUZZ_NICE (default 19), FUZZ_JOBS (default 1).
set -euo pipefail
cd "$(dirname "$0")"
if ! cargo fuzz --version >/dev/null 2>&1; then
  cargo install cargo-fuzz --locked
fi
target=${1:?usage: fuzz/run.sh TARGET [SECONDS] [libFuzzer args…] | list}
if [ "$target" = list ]; then exec cargo fuzz list; fi
secs=${2:-600}
shift $(( $# >= 2 ? 2 : 1 ))
# New inputs go to work/TARGET (gitignored); the committed seeds in corpus/TARGET are read only.
mkdir -p "work/$target" "corpus/$target" "artifacts/$target"
if [ "${FUZZ_ASAN:-0}" = 1 ]; then
  export RUSTC_BOOTSTRAP=1
  san=()
else
  san=(--sanitizer none)
fi
jobs=()
if [ "${FUZZ_JOBS:-1}" != 1 ]; then jobs=(-jobs="$FUZZ_JOBS" -workers="$FUZZ_JOBS"); fi
exec nice -n "${FUZZ_NICE:-19}" cargo fuzz run "${san[@]}" "$target" "work/$target" "corpus/$target" -- \
  -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
  -print_final_stats=1 "${jobs[@]}" "$@"
