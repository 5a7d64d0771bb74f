# anjian's container image: built in one stage, run from a slim Debian with the binary
# only, as an unprivileged user. Build: `docker build -t anjian .`; run with the
# database, storage and keys from the environment (see deploy/compose.yaml).
FROM rust:1.95-bookworm AS build
WORKDIR /src
RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends libssl-dev pkg-config \
    && rm -rf /var/lib/apt/lists/*
COPY . .
RUN cargo build --release --locked -p anjian && strip target/release/anjian

FROM debian:bookworm-slim
RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends ca-certificates libssl3 curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /var/lib/anjian --create-home anjian
COPY --from=build /src/target/release/anjian /usr/local/bin/anjian
USER anjian
WORKDIR /var/lib/anjian
ENV ANJIAN_DATA_DIR=/var/lib/anjian \
    ANJIAN_BIND=0.0.0.0:8080 \
    ANJIAN_LOG=info
EXPOSE 8080
# Ready: the database answers and the file store takes and gives back an object.
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
    CMD curl -fsS http://127.0.0.1:8080/readyz || exit 1
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/anjian"]
CMD ["serve"]
