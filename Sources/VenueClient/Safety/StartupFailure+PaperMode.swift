import PolypipeRuntime

extension StartupFailure {
    /// A paper-mode process refusing its venue: the refusal says it all.
    public init(refusal: PaperModeRefusal) {
        self.init(description: refusal.description)
    }
}
