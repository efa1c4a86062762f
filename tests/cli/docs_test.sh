#!/usr/bin/env bash
# The man pages and completion scripts the build generated (cmake/make_docs.sh) against the
# program they came from: a page per command that renders without warnings and names every option
# of the command's --help; bash completion of commands, every option, scenario files, folders and
# key paths after --set; the zsh script is valid zsh and offers every option.
#   docs_test.sh PROGRAM DOCS_DIR SOURCE_DIR
set -uo pipefail
prog=$1 docs=$2 src=$3
fail=0
bad() { echo "FAIL: $*"; fail=1; }
commands=$("$prog" --help | awk '/^Subcommands:/{on=1; next} on && /^  [a-z]/{print $1} on && /^$/{exit}')
[[ -n $commands ]] || { echo "FAIL: no commands in --help"; exit 1; }
# The long options a command defines: the first --name on each option line of its --help.
long_options() { "$prog" "$@" --help | sed -nE 's/^  (-[a-zA-Z0-9],)?(--[a-z][a-z0-9-]*).*/\2/p' | sort -u; }

# Man pages.
pages=("$docs/man/celltrial.1.gz")
for c in $commands; do pages+=("$docs/man/celltrial-$c.1.gz"); done
for p in "${pages[@]}"; do
  [[ -s $p ]] || { bad "missing man page $p"; continue; }
  warnings=$(MANWIDTH=100 man --warnings -l "$p" 2>&1 >/dev/null)
  [[ -z $warnings ]] || bad "$p renders with warnings: $warnings"
done
for c in $commands; do
  text=$(MANWIDTH=200 man -l "$docs/man/celltrial-$c.1.gz" 2>/dev/null | col -b)
  grep -q "celltrial-$c - " <<<"$text" || bad "celltrial-$c.1: NAME line is not 'celltrial-$c - ...'"
  for o in $(long_options "$c"); do
    grep -q -- "$o" <<<"$text" || bad "celltrial-$c.1 does not mention $o"
  done
done
# (the page source: rendered, a long line may hyphenate a name)
top=$(zcat "$docs/man/celltrial.1.gz")
for c in $commands; do grep -qF "celltrial-$c\\fR(1)" <<<"$top" || bad "celltrial.1 SEE ALSO lacks celltrial-$c(1)"; done

# bash completion, run as bash would.
complete_words() {  # complete_words WORD... : what the completion offers for the last word
  bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMPREPLY=(); _celltrial; printf "%s\n" "${COMPREPLY[@]}"' \
    _ "$docs/completions/celltrial" "$@"
}
cd "$src" || exit 1
got=$(complete_words celltrial "")
for c in $commands; do grep -qx "$c" <<<"$got" || bad "bash: command $c not offered"; done
for c in $commands; do
  got=$(complete_words celltrial "$c" --)
  for o in $(long_options "$c"); do
    [[ $o == --test-* ]] && continue  # hidden options of the tests
    grep -qx -- "$o" <<<"$got" || bad "bash: celltrial $c: option $o not offered"
  done
done
got=$(complete_words celltrial simulate --set analysis.al)
[[ $got == "analysis.alpha=" ]] || bad "bash: --set analysis.al -> '$got' (want analysis.alpha=)"
got=$(complete_words celltrial sweep scenarios/default.yaml --sweep design.sample_)
[[ $got == "design.sample_size=" ]] || bad "bash: --sweep design.sample_ -> '$got'"
got=$(complete_words celltrial validate scenarios/validation/null_m)
[[ $got == "scenarios/validation/null_mmrm.yaml" ]] || bad "bash: scenario file -> '$got'"
got=$(complete_words celltrial analyse tests/reference/mmrm/sm)
[[ $got == "tests/reference/mmrm/small.csv" ]] || bad "bash: data file -> '$got'"
got=$(complete_words celltrial completion z)
[[ $got == "zsh" ]] || bad "bash: completion z -> '$got'"

# zsh: a valid script that offers every option of every command.
zsh -n "$docs/completions/_celltrial" || bad "zsh: _celltrial is not valid zsh"
for c in $commands; do
  for o in $(long_options "$c"); do
    [[ $o == --test-* ]] && continue
    grep -q -- "'\\*\\?$o\\[" "$docs/completions/_celltrial" || grep -q -- "'$o\[" "$docs/completions/_celltrial" ||
      grep -q -- "'\*$o\[" "$docs/completions/_celltrial" || bad "zsh: celltrial $c: $o not in _celltrial"
  done
done
[[ $fail -eq 0 ]] && echo "ok: $(wc -w <<<"$commands") commands: man pages, bash and zsh completions"
exit $fail
