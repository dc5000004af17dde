#if canImport(Glibc)
import Glibc
#endif
import Logging

/// A swift-log handler that writes to the systemd journal in its native protocol (datagrams to
/// `/run/systemd/journal/socket`, no libsystemd), so each event is one journal entry with its
/// metadata as fields: `journalctl -u polypipe-exec ACTION=sched-3` finds an action's lines.
///
/// Each entry carries:
/// - `MESSAGE`: the message followed by its metadata as `key=value` (what `journalctl -o cat`
///   shows; the journal adds its own timestamp);
/// - `PRIORITY`: syslog levels (trace/debug 7, info 6, notice 5, warning 4, error 3, critical 2);
/// - `SYSLOG_IDENTIFIER` (the process name), `POLYPIPE_LOGGER` (the logger label), `CODE_FILE`,
///   `CODE_LINE`, `CODE_FUNC`;
/// - every metadata key as a field, upper-cased with anything but letters and digits turned
///   into `_` (`action.id` → `ACTION_ID`).
///
/// When a datagram cannot be sent (too large, journald gone) the line goes to stderr instead,
/// so nothing is dropped silently.
public struct JournalLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let identifier: String
    private let sink: JournalSocket

    /// - Parameters:
    ///   - identifier: `SYSLOG_IDENTIFIER`, e.g. "exec-proc".
    ///   - socket: the journal's socket (tests point it elsewhere).
    public init(label: String, identifier: String, socket: JournalSocket) {
        self.label = label
        self.identifier = identifier
        self.sink = socket
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        let ordered = merged.sorted { $0.key < $1.key }
        var text = "\(event.message)"
        if !ordered.isEmpty { text += " " + ordered.map { "\($0.key)=\($0.value)" }.joined(separator: " ") }
        var fields: [(String, String)] = [
            ("MESSAGE", text), ("PRIORITY", String(Self.priority(event.level))), ("SYSLOG_IDENTIFIER", identifier),
            ("POLYPIPE_LOGGER", label), ("CODE_FILE", event.file), ("CODE_LINE", String(event.line)), ("CODE_FUNC", event.function),
        ]
        for (key, value) in ordered { fields.append((Self.fieldName(key), "\(value)")) }
        if !sink.send(Self.encode(fields)) {
            let line = "\(event.level) \(label): \(text)\n"
            _ = line.withCString { Glibc.write(STDERR_FILENO, $0, strlen($0)) }
        }
    }

    /// syslog priority of a swift-log level.
    public static func priority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: return 7
        case .info: return 6
        case .notice: return 5
        case .warning: return 4
        case .error: return 3
        case .critical: return 2
        }
    }

    /// A journal field name for a metadata key: A–Z, 0–9 and `_`, not starting with `_` or a
    /// digit (those are the journal's own), at most 64 characters.
    public static func fieldName(_ key: String) -> String {
        var name = String(key.uppercased().unicodeScalars.map { scalar -> Character in
            (("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)) ? Character(scalar) : "_"
        })
        if name.isEmpty || name.first == "_" || name.first!.isNumber { name = "M" + name }
        return String(name.prefix(64))
    }

    /// The native protocol: `NAME=value\n`, or for a value with a line break
    /// `NAME\n<64-bit little-endian length><value>\n`.
    public static func encode(_ fields: [(String, String)]) -> [UInt8] {
        var bytes: [UInt8] = []
        for (name, value) in fields {
            let valueBytes = Array(value.utf8)
            bytes += Array(name.utf8)
            if valueBytes.contains(0x0A) {
                bytes.append(0x0A)
                withUnsafeBytes(of: UInt64(valueBytes.count).littleEndian) { bytes += $0 }
            } else {
                bytes.append(UInt8(ascii: "="))
            }
            bytes += valueBytes
            bytes.append(0x0A)
        }
        return bytes
    }
}
