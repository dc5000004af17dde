/// Turns a byte stream (a child's stdout or stderr) into whole lines.
///
/// Bytes are kept until a newline arrives; a line longer than ``maximumLineLength`` is cut
/// there, so a child that never writes a newline cannot grow the buffer without bound. Invalid
/// UTF-8 is replaced, never rejected: the output is for reading, not parsing.
public struct LineBuffer: Sendable {
    public static let maximumLineLength = 16_384
    private var pending: [UInt8] = []

    public init() {}

    /// Appends `bytes` and returns the lines they completed (without their `\n` or `\r\n`).
    public mutating func append(_ bytes: [UInt8]) -> [String] {
        var lines: [String] = []
        for byte in bytes {
            if byte == 0x0A {
                lines.append(Self.text(pending))
                pending.removeAll(keepingCapacity: true)
            } else {
                pending.append(byte)
                if pending.count >= Self.maximumLineLength {
                    lines.append(Self.text(pending))
                    pending.removeAll(keepingCapacity: true)
                }
            }
        }
        return lines
    }

    /// The unterminated rest, as a last line (nil when empty), for when the stream ends.
    public mutating func finish() -> String? {
        defer { pending.removeAll() }
        return pending.isEmpty ? nil : Self.text(pending)
    }

    private static func text(_ bytes: [UInt8]) -> String {
        var slice = bytes[...]
        if slice.last == 0x0D { slice = slice.dropLast() }
        return String(decoding: slice, as: UTF8.self)
    }
}
