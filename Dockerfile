# syntax=docker/dockerfile:1
# Build a static binary, then run it as an unprivileged user on a minimal base.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/badges ./cmd/badges \
    && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/badges /usr/local/bin/badges
COPY --from=build --chown=65532:65532 /out/data /data
# The store lives here; mount a volume to keep last-seen times and pushed presence.
VOLUME ["/data"]
ENV BADGES_DATA=/data BADGES_LISTEN=:8080
EXPOSE 8080
USER nonroot:nonroot
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s --retries=3 \
  CMD ["/usr/local/bin/badges", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/badges"]
CMD ["serve"]
