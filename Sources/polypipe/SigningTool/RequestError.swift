/// A signing-tool request that cannot be carried out; `description` is the `"error"` text of
/// the result line and names the field and what was wrong with it.
struct RequestError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) { self.description = description }

    static func field(_ name: String, _ problem: String) -> RequestError {
        RequestError("\(name): \(problem)")
    }
}
