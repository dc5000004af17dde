import Foundation

/// Runs blocking work (a libcurl request, a ZeroMQ poll loop) on a dedicated thread, never on
/// the cooperative pool, and resumes the caller with its result.
///
/// ```swift
/// let time = await BlockingCall.run { try? clob.serverTime() }
/// ```
public enum BlockingCall {
    public static func run<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            let thread = Thread { continuation.resume(returning: body()) }
            thread.name = "polypipe.blocking"
            thread.start()
        }
    }
}
