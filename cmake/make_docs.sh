#!/usr/bin/env bash
# Generates, from the built program's own option definitions, the man pages (help2man on each
# command's --help) and the shell completion scripts (`celltrial completion`), so both always
# describe the program they ship with.
#   make_docs.sh PROGRAM VERSION OUTDIR
# Writes OUTDIR/man/celltrial.1.gz, OUTDIR/man/celltrial-<command>.1.gz for every command, and
# OUTDIR/completions/celltrial (bash) and OUTDIR/completions/_celltrial (zsh).
set -euo pipefail
prog=$1 version=$2 out=$3
mkdir -p "$out/man" "$out/completions"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# The commands and their one-line descriptions, from `celltrial --help`.
"$prog" --help | awk '/^Subcommands:/{on=1; next} on && /^  [a-z]/{name=$1; $1=""; sub(/^ +/, ""); print name "\t" $0} on && /^$/{exit}' >"$tmp/commands"
[[ -s $tmp/commands ]] || { echo "make_docs.sh: no commands found in '$prog --help'" >&2; exit 1; }

{
  echo "[SEE ALSO]"
  sep=""
  while IFS=$'\t' read -r name _; do printf '%s\\fBcelltrial-%s\\fR(1)' "$sep" "$name"; sep=", "; done <"$tmp/commands"
  echo
  echo ".PP"
  echo "The README and docs/ of the source tree; the scenario keys: \\fBcelltrial schema --markdown\\fR."
} >"$tmp/see_also.h2m"
help2man --no-info --no-discard-stderr --version-string="$version" --section=1 \
  --name="simulation and design of phase 3 trials of cell therapies for cerebral palsy" \
  --include="$tmp/see_also.h2m" --output="$tmp/celltrial.1" "$prog"
mv "$tmp/celltrial.1" "$out/man/celltrial.1"

# One page per command. help2man runs "PROGRAM COMMAND --help" through the shell.
printf '#!/bin/sh\nexec "%s" "$@"\n' "$prog" >"$tmp/celltrial"
chmod +x "$tmp/celltrial"
while IFS=$'\t' read -r name desc; do
  printf '[SEE ALSO]\n\\fBcelltrial\\fR(1)\n' >"$tmp/cmd.h2m"
  # The page's name line: the description's first clause, without characters troff treats specially.
  short=$(printf '%s' "$desc" | sed -E 's/[:;(].*//; s/[ ,.]+$//; s/\\/\\\\/g')
  help2man --no-info --no-discard-stderr --version-string="$version" --section=1 --name="$short" \
    --include="$tmp/cmd.h2m" --output="$tmp/page.1" "$tmp/celltrial $name"
  # help2man names the page after the program it ran; it is celltrial-<command>.
  sed -i -E "1,/^\\.TH/ s/^\\.TH \"?[^ ]+\"? /.TH CELLTRIAL-${name^^} /" "$tmp/page.1"
  sed -i -E "/^\\.SH NAME/{n; s/^celltrial $name /celltrial-$name /}" "$tmp/page.1"
  mv "$tmp/page.1" "$out/man/celltrial-$name.1"
done <"$tmp/commands"

# Compressed as Debian installs man pages (gzip -n: no name or time stamp, the same bytes every build).
gzip -9nf "$out"/man/*.1
"$prog" completion bash >"$out/completions/celltrial"
"$prog" completion zsh >"$out/completions/_celltrial"
