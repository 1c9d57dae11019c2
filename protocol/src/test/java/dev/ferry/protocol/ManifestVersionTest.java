package dev.ferry.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class ManifestVersionTest {

    @Test
    void discoveryAcceptsEveryManifestVersionNewestFirst() {
        assertThat(ManifestVersion.ACCEPT).isEqualTo("application/vnd.restate.endpointmanifest.v4+json, "
                + "application/vnd.restate.endpointmanifest.v3+json, "
                + "application/vnd.restate.endpointmanifest.v2+json, "
                + "application/vnd.restate.endpointmanifest.v1+json");
    }

    @Test
    void theAcceptHeaderHoldsWhatTheTypeScriptSdkLooksFor() {
        // TypeScript SDK 1.17.2 answers 415 unless the header contains one of v2, v3 or v4 (probe, issue 14).
        assertThat(ManifestVersion.ACCEPT).contains("application/vnd.restate.endpointmanifest.v4+json");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "application/vnd.restate.endpointmanifest.v4+json | V4",
        "application/vnd.restate.endpointmanifest.v3+json | V3",
        "application/vnd.restate.endpointmanifest.v2+json | V2",
        "application/vnd.restate.endpointmanifest.v1+json | V1",
        "Application/Vnd.Restate.EndpointManifest.V4+JSON ; charset=utf-8 | V4",
    })
    void aResponseContentTypeNamesTheManifestVersion(String contentType, ManifestVersion version) {
        assertThat(ManifestVersion.fromContentType(contentType)).contains(version);
        assertThat(version.contentType()).isEqualToIgnoringCase(ProtocolVersion.stripParameters(contentType));
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {
        "application/json",
        "application/vnd.restate.endpointmanifest.v5+json",
        "application/vnd.restate.endpointmanifest.v4",
        "application/vnd.restate.invocation.v7",
    })
    void otherContentTypesAreNoManifestFerryReads(String contentType) {
        assertThat(ManifestVersion.fromContentType(contentType)).isEmpty();
    }
}
