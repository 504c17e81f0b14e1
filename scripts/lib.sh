# Shared by the project's scripts: dependencies, configure and build.
# Source it; then call pksim_build DIR [cmake options...].

PKSIM_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# Installs what is missing and finds SUNDIALS once per script run.
pksim_setup() {
  if [ -z "${PKSIM_SUNDIALS_DIR:-}" ]; then
    local prefix
    prefix=$(PKSIM_SETUP_QUIET=${PKSIM_SETUP_QUIET:-1} "$PKSIM_ROOT/scripts/setup.sh" | tail -n1 | cut -d= -f2-)
    if [ -n "$prefix" ]; then
      PKSIM_SUNDIALS_DIR=$prefix/lib/cmake/sundials
    else
      PKSIM_SUNDIALS_DIR=$(dirname "$(dpkg -L libsundials-dev | grep '/SUNDIALSConfig.cmake$' | head -n1)")
    fi
    export PKSIM_SUNDIALS_DIR
  fi
}

# pksim_build DIR [cmake options]: configure (SUNDIALS named explicitly, so
# a build directory never keeps a stale one) and build quietly.
pksim_build() {
  local dir=$1; shift
  pksim_setup
  local log=$dir.log
  mkdir -p "$dir"
  if ! { cmake -S "$PKSIM_ROOT" -B "$dir" -DSUNDIALS_DIR="$PKSIM_SUNDIALS_DIR" "$@" &&
         cmake --build "$dir" -j "$(nproc)"; } >"$log" 2>&1; then
    cat "$log" >&2
    echo "pksim: build in $dir failed (log above, also in $log)" >&2
    return 1
  fi
}
