# Sourced by the start-up and loading tests: is_static_executable FILE says whether FILE is an
# executable with no program interpreter and no shared library to load (nothing for the dynamic
# loader to do, and nothing it could load later: miglint does not call dlopen).
is_static_executable() {
  LC_ALL=C readelf -lW "$1" | grep -q 'INTERP' && return 1
  LC_ALL=C readelf -dW "$1" | grep -q '(NEEDED)' && return 1
  return 0
}
