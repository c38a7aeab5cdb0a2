# irsa-webhook container image: built by the repository's own scripts (those CI
# runs), shipped as the binary and the shared libraries it links, nothing else,
# on distroless/static (no shell, no package manager, no libc of its own).
#   docker build -t irsa-webhook:dev .
# test/chart/image.sh checks this file against the chart and runs the layout
# scripts/image-rootfs.sh makes in a chroot.

FROM debian:bookworm AS build
WORKDIR /src
COPY . .
# Build packages only, no tests and no bench harness: those run in CI, not in the image build.
RUN scripts/setup.sh --build-only \
 && scripts/build.sh build -DIRSA_BUILD_TESTS=OFF -DIRSA_BUILD_BENCH=OFF \
 && scripts/image-rootfs.sh build/irsa-webhook /rootfs

FROM gcr.io/distroless/static-debian12:nonroot
# /rootfs also has /webhook -> /usr/local/bin/irsa-webhook, the reference's path,
# so its manifests' `command: [/webhook, --flag…]` (flags alone mean serve) work.
COPY --from=build /rootfs/ /
# The chart's runAsUser/runAsGroup, and its container ports (--port, --metrics-port):
# above 1024, so no capability is needed to bind them.
USER 65532:65532
EXPOSE 8443 9999
ENTRYPOINT ["/usr/local/bin/irsa-webhook"]
# What the chart runs, minus its explicit flags: in-cluster API access, the
# certificate mounted at /etc/webhook/certs.
CMD ["serve", "--port=8443"]
