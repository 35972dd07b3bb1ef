#!/usr/bin/env bash
# Extracts the demo model's corpus from Debian's King James Bible package (bible-kjv / bible-kjv-text).
#
#   bash scripts/demo_model/extract_corpus.sh
#
# Installs bible-kjv if its `bible` tool is missing (needs root or sudo and apt), dumps the whole text
# with that tool (one verse per line, references stripped) and writes, deterministically:
#   .gpu/demo-corpus/train.txt           every book except Amos..Micah (30 782 verses); /.gpu/ is git-ignored
#   .gpu/demo-corpus/SOURCE.txt          package versions, the package's copyright file, sha256 sums
#   resources/demo-model/heldout.txt     Amos, Obadiah, Jonah, Micah (320 verses, ~49 KB), never trained on
#   resources/demo-model/prompts.txt     40 prompts: the first words of every 8th held-out verse
# Re-running it reproduces the same bytes (checked against the sums in SOURCE.txt by the training report).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
CORPUS="$ROOT/.gpu/demo-corpus"
RES="$ROOT/resources/demo-model"
export LC_ALL=C

if ! command -v bible >/dev/null 2>&1 || [ ! -f /usr/lib/bible.data ]; then
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get install -y bible-kjv || { $SUDO apt-get update && $SUDO apt-get install -y bible-kjv; }
fi

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

# -f turns pretty-printing off: one line per verse, "Ge1:1 In the beginning ...". stdin must not be a tty.
dump() { bible -f "$1" </dev/null >"$2"; }
dump "Gen1:1-Rev22:21" "$TMP/all.ref"
dump "Gen1:1-Joel3:21" "$TMP/head.ref"
dump "Amos1:1-Mic7:20" "$TMP/held.ref"
dump "Nahum1:1-Rev22:21" "$TMP/tail.ref"

# The three ranges must tile the whole Bible exactly (31 102 verses), so nothing held out leaks into train.
cat "$TMP/head.ref" "$TMP/held.ref" "$TMP/tail.ref" | cmp -s - "$TMP/all.ref" \
    || { echo "extract_corpus.sh: the verse ranges do not tile the full dump" >&2; exit 1; }
[ "$(wc -l <"$TMP/all.ref")" -eq 31102 ] || { echo "extract_corpus.sh: expected 31102 verses" >&2; exit 1; }
[ "$(head -c 5 "$TMP/held.ref")" = "Amos1" ] || { echo "extract_corpus.sh: held-out does not start at Amos 1:1" >&2; exit 1; }

strip() { sed -e 's/^[^ ]* //' "$@"; }   # drop the verse reference
mkdir -p "$CORPUS" "$RES"
strip "$TMP/head.ref" "$TMP/tail.ref" >"$TMP/train.txt"
strip "$TMP/held.ref" >"$TMP/heldout.txt"

# Prompts: verses 1, 9, 17, ... of the held-out text; the first five words, trailing punctuation removed.
awk 'NR % 8 == 1 { n = (NF < 5 ? NF : 5); s = $1; for (i = 2; i <= n; i++) s = s " " $i;
                   sub(/[[:punct:]]+$/, "", s); print s }' "$TMP/heldout.txt" >"$TMP/prompts.txt"
[ "$(wc -l <"$TMP/prompts.txt")" -eq 40 ] || { echo "extract_corpus.sh: expected 40 prompts" >&2; exit 1; }

mv "$TMP/train.txt" "$CORPUS/train.txt"
mv "$TMP/heldout.txt" "$RES/heldout.txt"
mv "$TMP/prompts.txt" "$RES/prompts.txt"

{
    echo "Corpus of the SRDD Studio demo model, made by scripts/demo_model/extract_corpus.sh"
    echo "Source: Debian packages $(dpkg-query -W -f='${Package} ${Version}' bible-kjv)," \
         "$(dpkg-query -W -f='${Package} ${Version}' bible-kjv-text); dumped with: bible -f 'Gen1:1-Rev22:21'"
    echo "Split: train = Genesis..Joel + Nahum..Revelation; held-out = Amos, Obadiah, Jonah, Micah"
    echo
    echo "sha256:"
    (cd "$ROOT" && sha256sum .gpu/demo-corpus/train.txt resources/demo-model/heldout.txt resources/demo-model/prompts.txt)
    echo
    echo "/usr/share/doc/bible-kjv-text/copyright:"
    cat /usr/share/doc/bible-kjv-text/copyright
} >"$CORPUS/SOURCE.txt"

wc -lc "$CORPUS/train.txt" "$RES/heldout.txt" "$RES/prompts.txt"
