#!/usr/bin/env bash
# CTest package_deb: test-package.sh BUILD_DIR SOURCE_DIR. Builds the Debian packages of BUILD_DIR with cpack,
# unpacks them into a scratch root (dpkg-deb -x, no root rights needed) and checks what a user gets: the files,
# Depends against the libraries the programs really load (ldd), the installed srdd (--version, the default
# model found from the program's own path, a scan of the installed demo model), srdd-studio --version, the
# desktop entry and the metainfo, and a find_package(srdd) consumer (packaging/consumer) built and run against
# the unpacked tree.
set -euo pipefail
build="$(cd "$1" && pwd)"
src="$(cd "$2" && pwd)"
consumer="$src/packaging/consumer"
scratch="$(mktemp -d "${TMPDIR:-/tmp}/srdd-package.XXXXXX")"
trap 'rm -rf "$scratch"' EXIT
fail() { echo "package_deb: FAIL: $*" >&2; exit 1; }
step() { echo "package_deb: $*"; }
# The Debian package that ships library $1 (merged /usr: dpkg may know it under /lib or /usr/lib).
owner() {
  local p
  for p in "$1" "$(readlink -f "$1")" "${1/#\/usr\/lib\//\/lib\/}" "${1/#\/lib\//\/usr\/lib\/}"; do
    dpkg -S "$p" 2> /dev/null | head -1 | cut -d: -f1 | grep . && return 0
  done
  return 1
}

step "cpack"
(cd "$build" && cpack -G DEB -B "$scratch/out") > "$scratch/cpack.log" 2>&1 || { cat "$scratch/cpack.log"; fail "cpack"; }
runtime_deb="$(ls "$scratch"/out/srdd-studio_*.deb)"
dev_deb="$(ls "$scratch"/out/srdd-studio-dev_*.deb)"
version="$(dpkg-deb -f "$runtime_deb" Version)"
root="$scratch/root"
for deb in "$runtime_deb" "$dev_deb"; do dpkg-deb -x "$deb" "$root"; done
usr="$root/usr"

step "files of $(basename "$runtime_deb") and $(basename "$dev_deb")"
for f in bin/srdd bin/srdd-studio share/srdd/demo-model/config.json share/srdd/demo-model/model.safetensors \
  share/srdd/demo-model/tokenizer.json share/applications/org.srdd.Studio.desktop \
  share/metainfo/org.srdd.Studio.metainfo.xml share/icons/hicolor/scalable/apps/srdd-studio.svg \
  include/srdd/engine.h include/srdd/hf_hub.h; do
  [ -f "$usr/$f" ] || fail "no /usr/$f in the packages"
done
# Man pages and completion, when this build made them (app/cli/docs.cmake writes them under BUILD_DIR/share).
for f in man/man1/srdd.1 man/man1/srdd-scan.1 bash-completion/completions/srdd; do
  [ ! -f "$build/share/$f" ] || cmp -s "$build/share/$f" "$usr/share/$f" || fail "/usr/share/$f is not the built one"
done
for f in libsrdd_core.a cmake/srdd/srddConfig.cmake cmake/srdd/srddTargets.cmake; do  # lib/ or lib/<multiarch>/
  compgen -G "$usr/lib/$f" > /dev/null || compgen -G "$usr/lib/*/$f" > /dev/null || fail "no /usr/lib/.../$f in the packages"
done
for f in "$src"/resources/demo-model/*; do
  cmp -s "$f" "$usr/share/srdd/demo-model/$(basename "$f")" || fail "installed demo model: $(basename "$f") differs from the source tree's"
done
for size in 16 22 24 32 48 64 128 256 512; do
  png="$usr/share/icons/hicolor/${size}x${size}/apps/srdd-studio.png"
  [ -f "$png" ] || fail "no ${size}x${size} PNG icon"
  # Width and height from the PNG header (IHDR, big-endian at bytes 16..23).
  read -r w h <<< "$(od -An -tu1 -j16 -N8 "$png" | awk '{print $1*16777216+$2*65536+$3*256+$4, $5*16777216+$6*65536+$7*256+$8}')"
  [ "$w" = "$size" ] && [ "$h" = "$size" ] || fail "$png is ${w}x${h}"
done

step "Depends cover every library the programs load"
depends="$(dpkg-deb -f "$runtime_deb" Depends)"
echo "  Depends: $depends"
for exe in "$usr/bin/srdd" "$usr/bin/srdd-studio"; do
  ldd "$exe" | grep -q "not found" && { ldd "$exe"; fail "$exe: unresolved libraries"; }
  # Each directly needed library's Debian package must be a dependency (libc6 included).
  for lib in $(objdump -p "$exe" | awk '/NEEDED/ {print $2}'); do
    # "libfoo.so.1 => /path (0x...)", or "/lib64/ld-linux-x86-64.so.2 (0x...)" for the loader.
    path="$(ldd "$exe" | awk -v l="$lib" '$1 == l {print $3} $1 ~ ("/" l "$") {print $1}')"
    pkg="$(owner "$path")" || fail "$lib ($path) belongs to no Debian package"
    tr ',|' '\n\n' <<< "$depends" | awk '{print $1}' | grep -qxF "$pkg" ||
      fail "$(basename "$exe") needs $lib from $pkg, which Depends lacks"
  done
done

step "installed srdd --version, default model, demo scan"
cd "$scratch"  # nothing of the source or build tree nearby
"$usr/bin/srdd" --version | tee "$scratch/version.txt"
grep -q "$version" "$scratch/version.txt" || fail "srdd --version does not print the package version $version"
env -u SRDD_DEMO_MODEL "$usr/bin/srdd" info > "$scratch/info.txt" || fail "srdd info (no MODEL) failed"
grep -q "$usr/share/srdd/demo-model" "$scratch/info.txt" || { cat "$scratch/info.txt"; fail "srdd info did not open the installed demo model"; }
"$usr/bin/srdd" scan "$usr/share/srdd/demo-model" --scans gain --max-tokens 16 --quiet --no-report \
  --out "$scratch/scan.json" || fail "srdd scan of the installed demo model"
grep -q '"schema": *"srdd-scan/1"' "$scratch/scan.json" || fail "scan.json is not an srdd-scan/1 result"
QT_QPA_PLATFORM=offscreen "$usr/bin/srdd-studio" --version | grep -q "$version" || fail "srdd-studio --version"

step "desktop entry and metainfo"
desktop-file-validate "$usr/share/applications/org.srdd.Studio.desktop" || fail "desktop-file-validate"
appstreamcli validate --no-net --strict "$usr/share/metainfo/org.srdd.Studio.metainfo.xml" || fail "appstreamcli validate"

step "find_package(srdd) consumer against the unpacked tree"
cmake -S "$consumer" -B "$scratch/consumer" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$usr" \
  -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF > "$scratch/consumer.log" 2>&1 || { cat "$scratch/consumer.log"; fail "consumer configure"; }
grep -q "^srdd_DIR:PATH=$usr/lib/" "$scratch/consumer/CMakeCache.txt" || fail "the consumer found srdd outside the unpacked tree"
cmake --build "$scratch/consumer" >> "$scratch/consumer.log" 2>&1 || { cat "$scratch/consumer.log"; fail "consumer build"; }
"$scratch/consumer/srdd_consumer" "$usr/share/srdd/demo-model" | tee "$scratch/consumer.txt"
grep -q "^srdd $version: Qwen2ForCausalLM, 6 layers$" "$scratch/consumer.txt" || fail "the consumer's output"
echo "package_deb: all checks passed"
