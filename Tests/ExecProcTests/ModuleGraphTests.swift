import Foundation
import PolypipeTesting
import Testing

/// exec-proc holds the private key, so it links as little as it can: the module graph in
/// `Package.swift` keeps NIO, the WebSocket client and Hummingbird out of it. This reads the
/// built binary itself, so a dependency that sneaks in through any path — a new import in
/// `Execution`, a library that pulls NIO transitively — fails here, not in review.
@Suite struct ModuleGraphTests {
    /// Mangled Swift symbols carry their module as `<length><name>`: `7NIOCore` is in every
    /// symbol NIOCore defines or specialises. A stripped binary would hide them, so the test
    /// also insists that the modules exec-proc does link are visible the same way.
    static let forbidden = ["7NIOCore", "8NIOPosix", "8WSClient", "11Hummingbird", "20HummingbirdWebSocket",
                            "16ServiceLifecycle", "13VenueStreams", "10MarketData", "5Fills", "14Reconciliation", "10Strategies"]
    static let required = ["9Execution", "11VenueClient", "12PolypipeCore", "3Bus", "12JournalStore", "15PolypipeMetrics"]

    @Test func execProcLinksNoNIONoWebSocketAndNoOtherProcessCore() throws {
        let binary = try Data(contentsOf: ProcessHarness.binary("exec-proc"), options: .alwaysMapped)
        for module in Self.required {
            #expect(binary.range(of: Data("$s\(module)".utf8)) != nil, "no \(module) symbols: is the binary stripped?")
        }
        for module in Self.forbidden {
            #expect(binary.range(of: Data("$s\(module)".utf8)) == nil, "exec-proc links \(module)")
        }
    }
}
