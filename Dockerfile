# syntax=docker/dockerfile:1

# The onair image: the `onair` binary alone (its migrations are compiled into it) on a slim
# Debian, running as an unprivileged user. Needs BuildKit (the default builder since Docker
# Engine 23).
#
#   docker build -t onair .
#   docker run --rm -p 127.0.0.1:8080:8080 -v onair-data:/var/lib/onair/data onair
#
# docker-compose.yml runs it against PostgreSQL; docs/self-hosting.md covers both.

# The workspace's `rust-version` (Cargo.toml). Build and runtime use the same Debian
# release, so the binary runs on the glibc it was linked against.
ARG RUST_VERSION=1.95
ARG DEBIAN_RELEASE=trixie

FROM rust:${RUST_VERSION}-${DEBIAN_RELEASE} AS build
WORKDIR /src
COPY . .
# Dependencies are cached with BuildKit cache mounts rather than in a layer of their own:
# the registry, the git checkouts and `target/` persist between builds on this builder, so
# a source change recompiles only the workspace crates it touches. A "dependencies only"
# layer would need a stub for every crate listed here (and updated with each new network
# crate), and would still rebuild every workspace crate on any change. The binary is
# copied out of the cache mount in the same step, since the mount is not part of the layer.
RUN --mount=type=cache,target=/usr/local/cargo/registry,sharing=locked \
    --mount=type=cache,target=/usr/local/cargo/git,sharing=locked \
    --mount=type=cache,target=/src/target,sharing=locked \
    cargo build --release --locked --package onair-server --bin onair \
    && install -D --mode=0755 target/release/onair /out/onair

FROM debian:${DEBIAN_RELEASE}-slim AS runtime
LABEL org.opencontainers.image.title="onair" \
      org.opencontainers.image.description="One REST API over the live-audio networks (X Spaces first)" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.source="https://github.com/onair-dev/onair"
# The trust store for HTTPS to upstream networks, from the build stage's Debian (same
# release): no package manager runs in this stage.
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
# A fixed numeric id, so orchestrators can check `runAsNonRoot` and volumes can be chowned
# ahead of time. `data/` exists in the image so that a new named volume mounted there
# starts out owned by this user.
RUN groupadd --system --gid 10001 onair \
    && useradd --system --uid 10001 --gid onair --home-dir /var/lib/onair \
       --no-create-home --shell /usr/sbin/nologin onair \
    && install --directory --owner=onair --group=onair --mode=0750 \
       /var/lib/onair /var/lib/onair/data
COPY --from=build /out/onair /usr/local/bin/onair
USER 10001:10001
# The built-in default database is `sqlite://./data/onair.db`, relative to this directory
# (its generated `secret.key` goes beside it): mount a volume on /var/lib/onair/data to
# keep it. With PostgreSQL (ONAIR_DATABASE_URL) nothing is written here.
WORKDIR /var/lib/onair
ENV ONAIR_LISTEN=0.0.0.0:8080
EXPOSE 8080
# `onair healthcheck` GETs /readyz on the address ONAIR_LISTEN names (127.0.0.1 for
# 0.0.0.0) and exits non-zero unless it answers 200: no curl needed in the image.
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
    CMD ["onair", "healthcheck", "--timeout", "3"]
ENTRYPOINT ["onair"]
CMD ["serve"]
