#!/usr/bin/env bash
# Makes docs/screenshots/report-en.png and report-zh.png: the proposal report (srdd report --format html) of the
# demo model with a planted weight fault in layer 3 and a small AQN comparison targeting it, rendered by headless
# Chromium. Usage: scripts/report_screenshots.sh [BUILD_DIR] (default ./build).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
srdd="${1:-$root/build}/app/srdd"
work="$(mktemp -d /tmp/srdd-report-shots.XXXXXX)"
trap 'rm -rf "$work"' EXIT
cd "$work"
export OMP_NUM_THREADS=1
"$srdd" plant "$root/resources/demo-model" planted-model --fault weight-outliers --layer 3 > /dev/null
"$srdd" scan planted-model --out scan.json --timestamp 2026-01-01T00:00:00Z --quiet --no-report
"$srdd" aqn planted-model --targets 3 --configs baseline,global,targeted --seeds 3 --steps 8 --quiet \
  --timestamp 2026-01-01T00:00:00Z --out aqn-run > /dev/null
for lang in en zh; do
  "$srdd" report scan.json --aqn aqn-run --format html --lang "$lang" --out "report-$lang" > /dev/null
  chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$work/chromium" \
    --screenshot="$work/report-$lang.png" --window-size=1200,2900 "file://$work/report-$lang/report.html" 2> /dev/null
  # 256 colours keep the picture sharp and a third of the size.
  convert "$work/report-$lang.png" -colors 256 "PNG8:$root/docs/screenshots/report-$lang.png"
done
echo "wrote $root/docs/screenshots/report-en.png and report-zh.png"
