import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// SIGTERM and SIGINT as a clean stop: the default action (immediate death) is replaced by a
/// handler that runs `stop`, so signal-proc can close its sockets and exit 0.
enum ShutdownSignals {
    /// Keep the returned sources alive for as long as the handlers should stay installed.
    static func install(_ stop: @escaping @Sendable () -> Void) -> [DispatchSourceSignal] {
        [SIGTERM, SIGINT].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler(handler: stop)
            source.resume()
            return source
        }
    }
}
