#!/usr/bin/env bash
# The Debian packages (cmake/package.cmake): cpack makes celltrial_<v>_amd64.deb and
# celltrial-dev_<v>_amd64.deb; lintian finds no error or warning; every Depends is satisfied on
# this machine; both unpack (dpkg -x) into a temporary root where the program runs the default
# scenario with the build's numbers, its man page renders, and an outside project builds against
# the unpacked celltrial-dev. Nothing is installed into the system (no test installs packages).
#   deb_test.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$1 src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$build" && cpack -G DEB -B "$tmp/debs" >"$tmp/cpack.log" 2>&1) || { cat "$tmp/cpack.log"; exit 1; }
version=$("$build/celltrial" --version | awk '{print $2}')
arch=$(dpkg --print-architecture)
run=$tmp/debs/celltrial_${version}_${arch}.deb dev=$tmp/debs/celltrial-dev_${version}_${arch}.deb
[[ -f $run && -f $dev ]] || { echo "FAIL: expected $(basename "$run") and $(basename "$dev"):"; ls "$tmp/debs"; exit 1; }
echo "ok: $(basename "$run"), $(basename "$dev")"

lintian --no-tag-display-limit "$run" "$dev" >"$tmp/lintian" 2>&1 || true
if grep -qE '^[EW]: ' "$tmp/lintian"; then echo "FAIL: lintian:"; grep -E '^[EW]: ' "$tmp/lintian"; exit 1; fi
echo "ok: lintian: no errors or warnings"

# Every dependency (one alternative of each) installed here at a version that satisfies it.
for deb in "$run" "$dev"; do
  deps=$(dpkg-deb -f "$deb" Depends)
  [[ $deb == "$run" && $deps != *libtbb* ]] && { echo "FAIL: celltrial does not depend on oneTBB: $deps"; exit 1; }
  IFS=',' read -ra items <<<"$deps"
  for item in "${items[@]}"; do
    ok=0
    IFS='|' read -ra alts <<<"$item"
    for alt in "${alts[@]}"; do
      name=$(awk '{print $1}' <<<"$alt")
      [[ $name == celltrial ]] && { ok=1; break; }  # the other package of the pair
      have=$(dpkg-query -W -f='${Version}' "$name" 2>/dev/null) || continue
      if [[ $alt =~ \(([<>=]+)\ *([^\)]+)\) ]]; then
        op=${BASH_REMATCH[1]} want=${BASH_REMATCH[2]}
        case $op in '>=') op=ge ;; '<=') op=le ;; '=') op=eq ;; '>>') op=gt ;; '<<') op=lt ;; esac
        dpkg --compare-versions "$have" "$op" "$want" || continue
      fi
      ok=1; break
    done
    [[ $ok -eq 1 ]] || { echo "FAIL: $(basename "$deb"): dependency '$item' is not satisfied here"; exit 1; }
  done
  echo "ok: $(basename "$deb"): Depends: $deps"
done

dpkg -x "$run" "$tmp/root"
dpkg -x "$dev" "$tmp/root"
"$tmp/root/usr/bin/celltrial" simulate --trials 2000 --seed 3 --json --threads 2 --out "$tmp/out1" >"$tmp/deb.json" 2>/dev/null
"$build/celltrial" simulate --trials 2000 --seed 3 --json --threads 2 --out "$tmp/out2" >"$tmp/build.json" 2>/dev/null
cmp -s "$tmp/deb.json" "$tmp/build.json" || { echo "FAIL: the packaged program's summary differs from the build's"; exit 1; }
echo "ok: the packaged program runs the default scenario with the build's numbers"
warnings=$(MANWIDTH=100 man --warnings -l "$tmp/root/usr/share/man/man1/celltrial.1.gz" 2>&1 >/dev/null)
[[ -z $warnings ]] || { echo "FAIL: man page warnings: $warnings"; exit 1; }
[[ -f $tmp/root/usr/share/bash-completion/completions/celltrial && -f $tmp/root/usr/share/zsh/vendor-completions/_celltrial ]] ||
  { echo "FAIL: completions not packaged"; exit 1; }
echo "ok: man pages and completions packaged"
bash "$src/tests/install/consumer_check.sh" "$tmp/root/usr" "$src" "$tmp/work"
