# syntax=docker/dockerfile:1
# stampede's image: a static binary on distroless (no shell, no libc), run as
# the nonroot user (65532). Multi-arch: buildx sets TARGETOS/TARGETARCH and
# the Go toolchain cross-compiles on the build machine's own platform, so an
# arm64 image (Raspberry Pi clusters) builds without emulation:
#   docker buildx build --platform linux/amd64,linux/arm64 -t IMAGE .

FROM --platform=$BUILDPLATFORM golang:1.26.8 AS build
ARG TARGETOS
ARG TARGETARCH
ARG VERSION=dev
WORKDIR /src
# Modules first, so a source change does not download them again.
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH \
    go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/stampede ./cmd/stampede

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/stampede /usr/local/bin/stampede
USER nonroot:nonroot
# The worker's /metrics, the controller's API.
EXPOSE 9464 8089
ENTRYPOINT ["/usr/local/bin/stampede"]
CMD ["--help"]
