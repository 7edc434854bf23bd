#!/usr/bin/env bash
# deploy/make-deb.sh: builds mangrove-scheduler_VERSION_ARCH.deb from a clone (`make deb`).
#
#   deploy/make-deb.sh [--output DIR] [--binary PATH]
#
# 1. swift build -c release --static-swift-stdlib --disable-local-rpath (the Swift runtime
#    and Foundation are linked in, so the server needs no toolchain); skipped with --binary PATH.
# 2. Strips the binary; the debug symbols are kept aside in OUTPUT/ as
#    mangrove-scheduler_VERSION_ARCH.debug (the binary carries a .gnu_debuglink to it and
#    its build id: `gdb` finds it next to the binary or under /usr/lib/debug/.build-id/).
# 3. The man page from swift-argument-parser's generate-manual plugin, the bash, zsh
#    and fish completions from the binary itself (--generate-completion-script).
# 4. Depends: computed by dpkg-shlibdeps from what the binary really links.
# 5. dpkg-deb --root-owner-group --build: the binary, the unit, the journald catalog, the
#    man page, the completions, /etc/mangrove-scheduler/schedule.json (a conffile: the
#    example schedule), copyright, changelog and the maintainer scripts in deploy/debian/.
#
# The version is MangroveSchedulerVersion.string (Sources/MangroveClient/). The .deb and
# the .debug file land in OUTPUT (default .build/deb/). Prints each step's time and the sizes.
set -euo pipefail

readonly REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly PACKAGE=mangrove-scheduler
OUTPUT="$REPO_ROOT/.build/deb"
BINARY=""

die() { echo "make-deb.sh: $*" >&2; exit 1; }
while [[ $# -gt 0 ]]; do
    case "$1" in
        --output) [[ $# -ge 2 ]] || die "--output needs a directory"; OUTPUT="$2"; shift 2 ;;
        --output=*) OUTPUT="${1#*=}"; shift ;;
        --binary) [[ $# -ge 2 ]] || die "--binary needs a path"; BINARY="$2"; shift 2 ;;
        --binary=*) BINARY="${1#*=}"; shift ;;
        -h|--help) sed -n '2,19p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) die "unknown argument: $1 (see --help)" ;;
    esac
done
[[ "$OUTPUT" == /* ]] || OUTPUT="$(pwd)/$OUTPUT"
for tool in dpkg-deb dpkg-shlibdeps objcopy strip gzip; do
    command -v "$tool" >/dev/null || die "$tool is missing (bash .ci/setup installs dpkg-dev and binutils)"
done

readonly VERSION_FILE="$REPO_ROOT/Sources/MangroveClient/MangroveSchedulerVersion.swift"
VERSION="$(sed -n 's/.*static let string = "\([^"]*\)".*/\1/p' "$VERSION_FILE")"
[[ "$VERSION" =~ ^[0-9][A-Za-z0-9.+~-]*$ ]] || die "no version in $VERSION_FILE (got '$VERSION')"
ARCH="$(dpkg --print-architecture)"
readonly DEB="$OUTPUT/${PACKAGE}_${VERSION}_${ARCH}.deb"
readonly DEBUG_FILE="$OUTPUT/${PACKAGE}_${VERSION}_${ARCH}.debug"
readonly ROOT="$OUTPUT/root"
export SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-$(git -C "$REPO_ROOT" log -1 --format=%ct 2>/dev/null || date +%s)}"

STARTED=$SECONDS
step_started=$SECONDS
step() { # step "what": starts the next step and says how long the previous one took
    echo "==> $*   [previous step $((SECONDS - step_started)) s; $((SECONDS - STARTED)) s so far]"
    step_started=$SECONDS
}

# ---------------------------------------------------------------- 1. build
# --disable-local-rpath: no RUNPATH=$ORIGIN (nothing is loaded from beside the binary, and
# Debian policy forbids custom library search paths).
readonly BUILD_FLAGS=(-c release --static-swift-stdlib --disable-local-rpath)
if [[ -z "$BINARY" ]]; then
    step "swift build ${BUILD_FLAGS[*]} --product $PACKAGE"
    swift build --package-path "$REPO_ROOT" "${BUILD_FLAGS[@]}" --product "$PACKAGE"
    BINARY="$(swift build --package-path "$REPO_ROOT" "${BUILD_FLAGS[@]}" --show-bin-path)/$PACKAGE"
fi
[[ -x "$BINARY" ]] || die "no executable at $BINARY"
if ldd "$BINARY" 2>/dev/null | grep -q 'libswiftCore\|libFoundation'; then
    die "$BINARY links the Swift runtime dynamically; build it with --static-swift-stdlib"
fi

rm -rf -- "$ROOT" "$OUTPUT/shlibs"
mkdir -p "$OUTPUT" "$ROOT/DEBIAN"
install -d -m 0755 "$ROOT/usr/bin"

# ---------------------------------------------------------------- 2. strip
step "strip (debug symbols kept aside in $(basename "$DEBUG_FILE"))"
readonly BIN="$ROOT/usr/bin/$PACKAGE"
objcopy --only-keep-debug --compress-debug-sections=zlib "$BINARY" "$DEBUG_FILE"
chmod 0644 "$DEBUG_FILE"
strip --strip-unneeded --remove-section=.comment --remove-section=.note -o "$BIN" "$BINARY"
(cd "$OUTPUT" && objcopy --add-gnu-debuglink="$(basename "$DEBUG_FILE")" "$BIN")
chmod 0755 "$BIN"
"$BIN" --version >/dev/null || die "the stripped binary does not run"

# ---------------------------------------------------------------- 3. man page, completions
install -d -m 0755 "$ROOT/usr/share/man/man1"
step "man page: swift package plugin generate-manual"
# The plugin builds the package's executables (in debug: a release build of the simulator
# and the benchmark would add minutes, and the page only needs --experimental-dump-help),
# then runs generate-manual on each one that uses ArgumentParser.
# It writes PLUGIN_WORK_DIR/TARGET/TARGET.1 (the "Generated manual in '...'" line).
plugin_log="$OUTPUT/generate-manual.log"
MANUAL=""
if swift package --package-path "$REPO_ROOT" plugin generate-manual --configuration debug \
    --authors "mangrove-scheduler maintainers" --date "$(date -u -d "@$SOURCE_DATE_EPOCH" +%F)" \
    >"$plugin_log" 2>&1; then
    manual_dir="$(sed -n "s|^Generated manual in '\(file://\)\{0,1\}\(.*$PACKAGE\)/\{0,1\}'.*|\2|p" "$plugin_log" | tail -n 1)"
    MANUAL="$manual_dir/$PACKAGE.1"
fi
if [[ -z "$MANUAL" || ! -s "$MANUAL" ]]; then
    tail -n 30 "$plugin_log" >&2
    die "generate-manual wrote no $PACKAGE.1 (log: $plugin_log)"
fi
install -m 0644 "$MANUAL" "$ROOT/usr/share/man/man1/$PACKAGE.1"
gzip -9n "$ROOT/usr/share/man/man1/$PACKAGE.1"

step "shell completions"
install -d -m 0755 "$ROOT/usr/share/bash-completion/completions" \
    "$ROOT/usr/share/zsh/vendor-completions" "$ROOT/usr/share/fish/vendor_completions.d"
# bash-completion sources the file: no #! line (lintian: bash-completion-with-hashbang).
"$BIN" --generate-completion-script bash | sed '1{/^#!/d}' > "$ROOT/usr/share/bash-completion/completions/$PACKAGE"
"$BIN" --generate-completion-script zsh > "$ROOT/usr/share/zsh/vendor-completions/_$PACKAGE"
"$BIN" --generate-completion-script fish > "$ROOT/usr/share/fish/vendor_completions.d/$PACKAGE.fish"

# ---------------------------------------------------------------- unit, catalog, conffile, docs
step "unit, catalog, schedule, copyright, changelog"
install -d -m 0755 "$ROOT/lib/systemd/system" "$ROOT/usr/lib/systemd/catalog" \
    "$ROOT/etc/$PACKAGE" "$ROOT/usr/share/doc/$PACKAGE"
sed -e "s|/usr/local/bin/$PACKAGE|/usr/bin/$PACKAGE|g" \
    -e "s|^# Install with deploy/install.sh, then:|# Installed by the $PACKAGE package (or deploy/install.sh), then:|" \
    -e "s|^Documentation=.*|Documentation=man:$PACKAGE(1) man:systemd.service(5)|" \
    "$REPO_ROOT/deploy/$PACKAGE.service" > "$ROOT/lib/systemd/system/$PACKAGE.service"
install -m 0644 "$REPO_ROOT/deploy/$PACKAGE.catalog" "$ROOT/usr/lib/systemd/catalog/$PACKAGE.catalog"
install -m 0644 "$REPO_ROOT/config/schedule.example.json" "$ROOT/etc/$PACKAGE/schedule.json"
install -m 0644 "$REPO_ROOT/deploy/debian/copyright" "$ROOT/usr/share/doc/$PACKAGE/copyright"
install -D -m 0644 "$REPO_ROOT/deploy/debian/lintian-overrides" "$ROOT/usr/share/lintian/overrides/$PACKAGE"
gzip -9nc "$REPO_ROOT/deploy/debian/changelog" > "$ROOT/usr/share/doc/$PACKAGE/changelog.gz"
head -n 1 "$REPO_ROOT/deploy/debian/changelog" | grep -qF "($VERSION)" \
    || die "deploy/debian/changelog does not start with version $VERSION: add an entry"

# ---------------------------------------------------------------- 4. Depends
step "Depends: dpkg-shlibdeps"
mkdir -p "$OUTPUT/shlibs/debian"
printf 'Source: %s\n\nPackage: %s\nArchitecture: any\n' "$PACKAGE" "$PACKAGE" > "$OUTPUT/shlibs/debian/control"
DEPENDS="$(cd "$OUTPUT/shlibs" && dpkg-shlibdeps -O "$BIN" | sed -n 's/^shlibs:Depends=//p')"
[[ -n "$DEPENDS" ]] || die "dpkg-shlibdeps found no dependencies"
echo "Depends: $DEPENDS"

# ---------------------------------------------------------------- 5. control, scripts, build
for script in postinst prerm postrm; do
    install -m 0755 "$REPO_ROOT/deploy/debian/$script" "$ROOT/DEBIAN/$script"
done
printf '/etc/%s/schedule.json\n' "$PACKAGE" > "$ROOT/DEBIAN/conffiles"
(cd "$ROOT" && find . -type f ! -path './DEBIAN/*' ! -path './etc/*' -printf '%P\0' | LC_ALL=C sort -z \
    | xargs -0 md5sum) > "$ROOT/DEBIAN/md5sums"
installed_size="$(du -k -s --apparent-size --exclude=DEBIAN "$ROOT" | cut -f1)"
sed -e "s|@VERSION@|$VERSION|" -e "s|@ARCH@|$ARCH|" -e "s|@DEPENDS@|$DEPENDS|" \
    -e "s|@INSTALLED_SIZE@|$installed_size|" "$REPO_ROOT/deploy/debian/control.in" > "$ROOT/DEBIAN/control"
find "$ROOT" -type d -exec chmod 0755 {} +
find "$ROOT" -type f -exec chmod 0644 {} +
chmod 0755 "$BIN" "$ROOT/DEBIAN/postinst" "$ROOT/DEBIAN/prerm" "$ROOT/DEBIAN/postrm"
find "$ROOT" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +

step "dpkg-deb --build"
rm -f -- "$DEB"
dpkg-deb --root-owner-group -Zxz --build "$ROOT" "$DEB" >/dev/null
rm -rf -- "$OUTPUT/shlibs"

step "done"
printf '%s: %s bytes (%s)\n' "$DEB" "$(stat -c %s "$DEB")" "$(du -h "$DEB" | cut -f1)"
printf 'installed binary /usr/bin/%s: %s bytes (%s; %s unstripped)\n' "$PACKAGE" "$(stat -c %s "$BIN")" \
    "$(du -h --apparent-size "$BIN" | cut -f1)" "$(du -h --apparent-size "$BINARY" | cut -f1)"
printf 'debug symbols: %s (%s)\n' "$DEBUG_FILE" "$(du -h --apparent-size "$DEBUG_FILE" | cut -f1)"
echo "make deb: $((SECONDS - STARTED)) s"
echo "install:  apt install $DEB"
