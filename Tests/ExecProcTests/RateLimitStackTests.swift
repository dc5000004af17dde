import Foundation
import Testing

/// exec-proc paces a burst to its signer's order bucket (spec §6.1): on the Standard tier
/// (60 tokens, 40 a second) no more than 60 + 40·t orders leave in the first t seconds, so an
/// 80-order burst spans at least half a second between its first and last send — however fast
/// the machine is (a lower bound on time, never a speed).
extension ProcessSuites {
@Suite(.serialized) struct RateLimitStackTests {
    @Test func aBurstOnTheStandardTierNeverOutrunsTheOrderBucket() throws {
        let stack = try ExecStack(execArguments: ["--rate-limit-tier", "standard"])
        let window = try stack.currentWindow()
        let ids = (0..<80).map { "rl-\($0)" }
        for id in ids {
            try stack.send(ExecStack.action(id: id, market: window.market, token: window.token, price: 400_000, ttlMs: 30_000))
        }
        var sent: [UInt64] = []
        for id in ids {
            let event = try stack.event(for: id, timeoutSeconds: 15)
            #expect(event.outcome == .accepted, "\(id): \(event.outcome) \(event.reason)")
            sent.append(event.sentAtNs)
        }
        sent.sort()
        // Tokens for orders 1…k by time t ≤ 60 + 40·(t − t₁): the 80th leaves ≥ 20/40 s after
        // the first (1 ms of slack for the bucket's millisecond clock).
        let span = (sent[79] - sent[0]) / 1_000_000
        #expect(span >= 499, "80 orders within \(span) ms")
        // And each window of 61 orders spans at least 25 ms (one refill).
        for start in 0..<(sent.count - 60) {
            #expect((sent[start + 60] - sent[start]) / 1_000_000 >= 24)
        }
    }
}
}
