import CCurl
import CSecp256k1
import CZmq
import Testing

/// The three system-library shims build, link and call into the Debian libraries (the bus and
/// the venue client use CZmq and CCurl from later issues on; this keeps their module maps honest).
@Suite struct NativeLibrariesTests {
    @Test func libzmqIsVersion4() {
        var major: Int32 = 0, minor: Int32 = 0, patch: Int32 = 0
        zmq_version(&major, &minor, &patch)
        #expect(major == 4)
    }

    @Test func libcurlSpeaksHTTPAndItsTypedSetoptWrappersWork() throws {
        let info = try #require(curl_version_info(CURLVERSION_TENTH))
        #expect(info.pointee.features & Int32(CURL_VERSION_SSL) != 0)
        let handle = try #require(curl_easy_init())
        defer { curl_easy_cleanup(handle) }
        #expect(polypipe_curl_setopt_long(handle, CURLOPT_TIMEOUT_MS, 1000) == CURLE_OK)
        #expect(polypipe_curl_setopt_string(handle, CURLOPT_URL, "http://127.0.0.1:1/") == CURLE_OK)
    }

    @Test func libsecp256k1HasTheRecoveryModule() throws {
        let context = try #require(secp256k1_context_create(UInt32(SECP256K1_CONTEXT_NONE)))
        var signature = secp256k1_ecdsa_recoverable_signature()
        let compact = [UInt8](repeating: 1, count: 64)
        #expect(secp256k1_ecdsa_recoverable_signature_parse_compact(context, &signature, compact, 0) == 1)
        secp256k1_context_destroy(context)
    }
}
