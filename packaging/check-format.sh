#!/usr/bin/env bash
# Checks that every C++/CUDA source of the project is formatted by .clang-format (clang-format 14, Debian 12).
# With --fix, formats them in place instead.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
# Generated files (first line says GENERATED, e.g. the Unicode tables) keep their generator's layout.
mapfile -t files < <(git ls-files '*.cpp' '*.h' '*.cu' '*.cuh' | grep -v '^tests/fixtures/' |
  while read -r f; do head -1 "$f" | grep -q GENERATED || echo "$f"; done)
if [ "${1:-}" = "--fix" ]; then
  clang-format -i "${files[@]}"
  exit 0
fi
if ! clang-format --dry-run --Werror "${files[@]}" 2> /tmp/srdd-format.$$; then
  grep -E '^[^ ].*: (error|warning):' /tmp/srdd-format.$$ | sed 's/: error: code should be clang-formatted.*//' | sort -u | head -40
  rm -f /tmp/srdd-format.$$
  echo "check-format: the files above are not formatted as .clang-format says; run: bash packaging/check-format.sh --fix" >&2
  exit 1
fi
rm -f /tmp/srdd-format.$$
echo "check-format: ${#files[@]} files formatted"
