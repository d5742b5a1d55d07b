#!/bin/sh
# Checks the desktop metadata and the packages that CPack builds from a finished build:
#   (a) desktop-file-validate and appstreamcli on the launcher and the AppStream file,
#   (b) cpack -G "DEB;TGZ" into a scratch directory under the build tree,
#   (c) the .deb holds the binary, launcher, metainfo and icons and depends on the Qt libraries
#       and the plugin packages; the .tar.gz holds the same files.
# Usage: check-package.sh BUILD_DIR SOURCE_DIR
# ctest sets TEMPER_BINARY (the built executable), CMAKE_COMMAND and CPACK_COMMAND; all are
# optional when run by hand.
# Everything it makes is left in BUILD_DIR/packaging/check-package for inspection.
set -eu

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

[ $# -eq 2 ] || { echo "usage: $0 BUILD_DIR SOURCE_DIR" >&2; exit 2; }
build=$(cd "$1" && pwd) || fail "no build directory $1"
src=$(cd "$2" && pwd) || fail "no source directory $2"
id=io.github.temper.Temper
desktop="$src/packaging/$id.desktop"
metainfo="$src/packaging/$id.metainfo.xml"
out="$build/packaging/check-package"
cpack=${CPACK_COMMAND:-cpack}

# (a) Metadata. Warnings make appstreamcli fail; desktop-file-validate fails on errors only and
# prints its hints.
if command -v desktop-file-validate >/dev/null 2>&1; then
    desktop-file-validate "$desktop" || fail "desktop-file-validate rejected $desktop"
    echo "ok: desktop-file-validate $id.desktop"
else
    echo "SKIP: desktop-file-validate not installed"
fi
if command -v appstreamcli >/dev/null 2>&1; then
    appstreamcli validate --no-net "$metainfo" || fail "appstreamcli rejected $metainfo"
    echo "ok: appstreamcli validate $id.metainfo.xml"
else
    echo "SKIP: appstreamcli not installed"
fi

# (b) Packages. For each directory in CPACK_INSTALL_CMAKE_PROJECTS cpack builds its `preinstall`
# target (temper and what it links), then runs its install step into a staging directory.
[ -f "$build/CPackConfig.cmake" ] || fail "$build/CPackConfig.cmake missing: configure the build first"
rm -rf "$out"
mkdir -p "$out"
if ! "$cpack" --config "$build/CPackConfig.cmake" -G "DEB;TGZ" -B "$out" >"$out/cpack.log" 2>&1; then
    cat "$out/cpack.log" >&2
    # A failed build inside cpack leaves its output here rather than in cpack's own log.
    find "$out/_CPack_Packages" -name PreinstallOutput.log -exec tail -n 40 {} + >&2 2>/dev/null || true
    fail "cpack failed (log above, also in $out)"
fi

only_one() {  # only_one DESCRIPTION FILE... : exactly one file matched the glob
    what=$1
    shift
    if [ $# -ne 1 ] || [ ! -f "$1" ]; then
        fail "expected one $what in $out, found: $*"
    fi
    echo "$1"
}
deb=$(only_one ".deb" "$out"/*.deb)
tgz=$(only_one ".tar.gz" "$out"/*.tar.gz)
echo "ok: cpack built $(basename "$deb") and $(basename "$tgz")"

# (c) Contents of the .deb.
command -v dpkg-deb >/dev/null 2>&1 || fail "dpkg-deb not installed (Debian package dpkg)"
dpkg-deb --fsys-tarfile "$deb" >"$out/deb.tar" || fail "dpkg-deb cannot read $deb"
tar -tf "$out/deb.tar" >"$out/deb.raw" || fail "cannot list the data of $deb"
# Files only, as paths below the prefix: ./usr/bin/temper -> bin/temper.
sed -n 's|^\./usr/||p' "$out/deb.raw" | grep -v -e '/$' -e '^$' | LC_ALL=C sort >"$out/deb.files" || true

expected="bin/temper
share/applications/$id.desktop
share/metainfo/$id.metainfo.xml
share/icons/hicolor/scalable/apps/$id.svg"
for size in 16 24 32 48 64 128 256; do
    expected="$expected
share/icons/hicolor/${size}x${size}/apps/$id.png"
done
for file in $expected; do
    grep -qxF "$file" "$out/deb.files" || fail "$(basename "$deb") lacks usr/$file"
done

depends=$(dpkg-deb -f "$deb" Depends)
for package in libqt6widgets6 libqt6network6 qt6-qpa-plugins libqt6svg6 fonts-dejavu-core; do
    # A name in a Depends line is followed by a space (version), a comma or the end.
    printf '%s\n' "$depends" | tr ',' '\n' | sed 's/^ *//' | grep -q "^$package\( \|$\)" ||
        fail "Depends of $(basename "$deb") does not name $package: $depends"
done

# The newest AppStream release has to be the version being packaged.
version=$(dpkg-deb -f "$deb" Version)
grep -q "<release version=\"$version\"" "$metainfo" ||
    fail "$id.metainfo.xml has no <release version=\"$version\">: add the release"

# Each PNG is as large as the directory it is installed in says (width and height are the
# big-endian words at byte 16 and 20 of the file).
mkdir -p "$out/root"
tar -xf "$out/deb.tar" -C "$out/root" || fail "cannot unpack $deb"
for size in 16 24 32 48 64 128 256; do
    png="$out/root/usr/share/icons/hicolor/${size}x${size}/apps/$id.png"
    dims=$(od -An -tu1 -j16 -N8 "$png" | awk '{ print $3 * 256 + $4 "x" $7 * 256 + $8 }')
    [ "$dims" = "${size}x${size}" ] || fail "$id.png in ${size}x${size} is $dims pixels"
done
# The packaged binary is the one this build produced: stripping keeps the GNU build ID.
build_id() {
    readelf -n "$1" 2>/dev/null | sed -n 's/^ *Build ID: *//p'
}
if [ -n "${TEMPER_BINARY:-}" ] && command -v readelf >/dev/null 2>&1; then
    built=$(build_id "$TEMPER_BINARY")
    packaged=$(build_id "$out/root/usr/bin/temper")
    if [ -z "$built" ] || [ "$built" != "$packaged" ]; then
        fail "usr/bin/temper in the .deb (build ID '$packaged') is not $TEMPER_BINARY ('$built')"
    fi
    echo "ok: usr/bin/temper is the built binary (build ID $built)"
fi
if command -v appstreamcli >/dev/null 2>&1; then
    # Cross-checks the installed tree: launchable against the .desktop file, icons present.
    appstreamcli validate-tree --no-net "$out/root/usr" ||
        fail "appstreamcli validate-tree rejected the installed tree of $(basename "$deb")"
fi

# The packages hold everything the project installs: a full install of the build tree (which
# builds nothing) lists the same files. A difference means a directory with install rules is
# missing from CPACK_INSTALL_CMAKE_PROJECTS in packaging/CMakeLists.txt.
cmake=${CMAKE_COMMAND:-cmake}
if ! "$cmake" --install "$build" --prefix "$out/full" >"$out/install.log" 2>&1; then
    cat "$out/install.log" >&2
    fail "cmake --install $build failed"
fi
(cd "$out/full" && find . ! -type d | sed 's|^\./||' | LC_ALL=C sort) >"$out/install.files"
if ! diff "$out/install.files" "$out/deb.files" >"$out/files.diff"; then
    cat "$out/files.diff" >&2
    fail "$(basename "$deb") differs from a full install (< install, > deb): list the directory in CPACK_INSTALL_CMAKE_PROJECTS"
fi

# The tarball is relocatable (bin/, share/ under one top directory) and holds the same files.
tar -tzf "$tgz" >"$out/tgz.raw" || fail "cannot list $tgz"
sed 's|^[^/]*/||' "$out/tgz.raw" | grep -v -e '/$' -e '^$' | LC_ALL=C sort >"$out/tgz.files" || true
if ! diff "$out/deb.files" "$out/tgz.files" >"$out/files.diff"; then
    cat "$out/files.diff" >&2
    fail "$(basename "$tgz") and $(basename "$deb") hold different files (< deb, > tar.gz)"
fi

echo "ok: $(basename "$deb") Depends: $depends"
echo "ok: both packages hold:"
sed 's/^/    /' "$out/deb.files"
echo "PASS: packaging"
