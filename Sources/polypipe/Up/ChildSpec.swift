/// One process of the local stack, described as data: its executable's name, how it says it is
/// ready, whether it receives the key, and its arguments.
///
/// Adding a process to `polypipe up` is one more ``ChildSpec`` in ``StackDefinition/children``;
/// the ``Supervisor`` knows nothing about any particular process.
struct ChildSpec: Sendable {
    /// How a child announces, on its stdout, that the next one may start.
    enum Readiness: Sendable {
        /// A line that is exactly `ready` (exec-proc, signal-proc).
        case readyLine
        /// `listening on http://127.0.0.1:PORT` (clob-sim); the URL becomes the stack's venue.
        case listeningLine
        /// `dashboard: http://127.0.0.1:PORT` (`polypipe dashboard`); the line is repeated on
        /// `polypipe up`'s stdout.
        case dashboardLine
    }

    /// What a readiness line told the launcher.
    enum ReadySignal: Equatable, Sendable {
        case ready
        case listening(url: String, port: Int)
        case dashboard(url: String, port: Int)
    }

    /// The log prefix `[name]`, and the executable's file name (in the build directory) unless
    /// ``binary`` names another.
    let name: String
    /// The executable's file name when it is not ``name`` (the dashboard is `polypipe dashboard`).
    var binary: String?
    let readiness: Readiness
    /// Whether this child gets `POLYMARKET_KEY` in its spawn environment. Only the signer.
    let holdsKey: Bool
    /// argv[1...], built at each (re)start from what the stack knows by then.
    let arguments: @Sendable (StackContext) -> [String]

    init(name: String, binary: String? = nil, readiness: Readiness, holdsKey: Bool, arguments: @escaping @Sendable (StackContext) -> [String]) {
        self.name = name
        self.binary = binary
        self.readiness = readiness
        self.holdsKey = holdsKey
        self.arguments = arguments
    }

    /// Whether `line` (from stdout) is this child's readiness announcement.
    func readySignal(in line: String) -> ReadySignal? {
        let text = line.trimmingWhitespace
        switch readiness {
        case .readyLine:
            return text == "ready" ? .ready : nil
        case .listeningLine:
            let prefix = "listening on "
            guard text.hasPrefix(prefix) else { return nil }
            let url = String(text.dropFirst(prefix.count))
            guard url.hasPrefix("http://"), let colon = url.lastIndex(of: ":"),
                  let port = Int(url[url.index(after: colon)...]), (1...65_535).contains(port)
            else { return nil }
            return .listening(url: url, port: port)
        case .dashboardLine:
            let prefix = "dashboard: "
            guard text.hasPrefix(prefix) else { return nil }
            let url = String(text.dropFirst(prefix.count))
            guard url.hasPrefix("http://127.0.0.1:"), let port = Int(url.dropFirst("http://127.0.0.1:".count)), (1...65_535).contains(port)
            else { return nil }
            return .dashboard(url: url, port: port)
        }
    }
}

extension ChildSpec {
    /// The `/metrics` URL a child logs once it serves metrics (`metrics.url=http://…`,
    /// `ProcessMetrics`), from any of its output lines.
    static func metricsURL(in line: String) -> String? {
        guard let range = line.range(of: "metrics.url=") else { return nil }
        let url = line[range.upperBound...].prefix { !$0.isWhitespace }
        return url.hasPrefix("http://127.0.0.1:") ? String(url) : nil
    }
}

extension String {
    /// The text without leading and trailing spaces, tabs and line ends.
    var trimmingWhitespace: String {
        var slice = Substring(self)
        while let first = slice.first, first.isWhitespace { slice = slice.dropFirst() }
        while let last = slice.last, last.isWhitespace { slice = slice.dropLast() }
        return String(slice)
    }
}
