package dev.ferry.schemas.deployments;

/**
 * How a deployment written with one of Restate's SDKs is called: it speaks Restate's service protocol (a journal of
 * framed messages) instead of Ferry's plain HTTP contract. A deployment without one speaks the plain contract.
 *
 * @param version the protocol version chosen at registration, the newest that both Ferry and the service speak
 * @param minVersion the oldest protocol version the service announced in its manifest
 * @param maxVersion the newest protocol version the service announced in its manifest
 * @param protocolMode {@code REQUEST_RESPONSE} or {@code BIDI_STREAM}, as the manifest says; Ferry drives both in
 *     request-response (it closes its request body after the journal, as Restate does when it forces that mode)
 * @param http2 true when the service is called over HTTP/2 (cleartext with prior knowledge for {@code http://}),
 *     false for HTTP/1.1: what discovery found it speaks
 * @param manifestVersion the version of the manifest the service answered discovery with (1 to 4)
 * @param sdk the service's {@code x-restate-server} header at discovery, e.g. {@code restate-sdk-typescript/1.17.2};
 *     null when it sent none
 */
public record ServiceProtocol(
        int version, int minVersion, int maxVersion, String protocolMode, boolean http2, int manifestVersion,
        String sdk) {

    /** The HTTP version as Restate's admin API spells it. */
    public String httpVersion() {
        return http2 ? "HTTP/2.0" : "HTTP/1.1";
    }

    /** The protocol mode as Restate's admin API spells it: {@code RequestResponse} or {@code BidiStream}. */
    public String protocolType() {
        return "BIDI_STREAM".equals(protocolMode) ? "BidiStream" : "RequestResponse";
    }
}
