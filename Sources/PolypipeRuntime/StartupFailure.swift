/// Why a polypipe process could not get to "ready": what it was doing, and the error.
/// Thrown by each service's `run(onReady:)`; the process logs it and exits 1.
public struct StartupFailure: Error, CustomStringConvertible {
    public let description: String

    /// "what: error", e.g. "cannot open the journal: …".
    public init(_ what: String, _ error: any Error) {
        description = "\(what): \(error)"
    }

    /// A failure that has already been put into words.
    public init(description: String) {
        self.description = description
    }
}
