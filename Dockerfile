# syntax=docker/dockerfile:1
# One image for every Ferry role (FERRY_ROLES picks them) and for the example service (/app/example.jar).
#   docker build -t ferry .
#   docker run -e FERRY_KAFKA_BOOTSTRAP_SERVERS=kafka:9092 -e FERRY_ROLES=processor ferry
# compose.yaml runs the whole stack from it.

FROM eclipse-temurin:21-jdk AS build
WORKDIR /src
# The build's inputs only (.dockerignore keeps data and build output out); Maven's cache survives rebuilds.
COPY . .
RUN --mount=type=cache,target=/root/.m2 ./mvnw -q -B -Dmaven.test.skip=true package

FROM eclipse-temurin:21-jre
RUN useradd --system --uid 10001 --home-dir /var/lib/ferry --no-create-home ferry \
    && mkdir -p /var/lib/ferry && chown ferry /var/lib/ferry
COPY --from=build /src/server/target/lib/ /app/lib/
COPY --from=build /src/server/target/ferry.jar /app/ferry.jar
# The example service is not part of Ferry's jar; compose runs it with `java -jar /app/example.jar`.
COPY --from=build /src/example/target/lib/ /app/lib/
COPY --from=build /src/example/target/ferry-example.jar /app/example.jar
USER ferry
WORKDIR /var/lib/ferry
# The processor's state stores (and the embedded broker's log, when no Kafka is configured) live here.
ENV FERRY_DATA_DIR=/var/lib/ferry
VOLUME ["/var/lib/ferry"]
# The ingress (Restate's ingress API) and the admin port (admin API, UI, /health/ready, /metrics).
EXPOSE 8080 9070
# Ready, not just alive: the broker answers and every role of this process works. No curl in the image: the
# jar checks itself (FERRY_ADMIN_PORT is honoured).
HEALTHCHECK --interval=10s --timeout=10s --start-period=90s --retries=3 \
    CMD ["java", "-Xmx32m", "-XX:TieredStopAtLevel=1", "-jar", "/app/ferry.jar", "health"]
# java is PID 1, so `docker stop` (SIGTERM) reaches Ferry's graceful shutdown; give it FERRY_SHUTDOWN_GRACE
# plus a few seconds (stop_grace_period in compose).
ENTRYPOINT ["java", "--enable-native-access=ALL-UNNAMED", "-XX:MaxRAMPercentage=75", "-jar", "/app/ferry.jar"]
CMD ["run"]
