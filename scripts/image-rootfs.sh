#!/usr/bin/env bash
# Lays out the container image's whole root filesystem beyond its distroless
# static base: the binary (stripped) and every shared library it loads, at the
# paths `ldd` reports, the dynamic loader included. The base brings no libc,
# so the binary runs on exactly the libraries it was linked against.
# Used by the Dockerfile's build stage; test/chart/image.sh runs the result in a chroot.
#
# The binary is also at /webhook, where the reference's image has it: its
# manifests (`command: [/webhook, --flag…]`) run unchanged.
#
# Usage: scripts/image-rootfs.sh BINARY DESTDIR   (DESTDIR/usr/local/bin/irsa-webhook, DESTDIR/webhook + libraries)
set -euo pipefail

[[ $# -eq 2 ]] || { echo "usage: $0 BINARY DESTDIR" >&2; exit 2; }
bin="$1" dest="$2"
[[ -x "${bin}" ]] || { echo "image-rootfs: no executable ${bin}" >&2; exit 1; }

deps="$(ldd "${bin}")" || { echo "image-rootfs: ldd ${bin} failed (not dynamic?)" >&2; exit 1; }
if grep -q 'not found' <<<"${deps}"; then
  echo "image-rootfs: unresolved libraries:" >&2
  grep 'not found' <<<"${deps}" >&2
  exit 1
fi
# "libx.so.N => /path (0x…)" and the loader's "/lib64/ld-linux-….so.2 (0x…)";
# linux-vdso has no file.
libs="$(awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' <<<"${deps}" | sort -u)"
[[ -n "${libs}" ]] || { echo "image-rootfs: ldd listed no libraries" >&2; exit 1; }

mkdir -p "${dest}/usr/local/bin"
install -m 0755 "${bin}" "${dest}/usr/local/bin/irsa-webhook"
strip --strip-unneeded "${dest}/usr/local/bin/irsa-webhook"
# Relative, so it resolves the same inside the image, in a chroot and from outside.
ln -sfn usr/local/bin/irsa-webhook "${dest}/webhook"
while IFS= read -r lib; do
  mkdir -p "${dest}$(dirname "${lib}")"
  cp -L "${lib}" "${dest}${lib}" # the file behind the soname symlink, under the soname
done <<<"${libs}"
