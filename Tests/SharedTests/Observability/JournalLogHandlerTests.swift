import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Logging
import Testing
import PolypipeRuntime

/// The journal's native protocol, against a datagram socket standing in for journald.
@Suite struct JournalLogHandlerTests {
    /// A bound datagram socket in a fresh directory; returns (fd, path).
    func journald() throws -> (Int32, String) {
        let path = NSTemporaryDirectory() + "journal-\(UUID().uuidString.prefix(8)).sock"
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        try #require(fd >= 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            let bytes = Array(path.utf8)
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        try #require(bound == 0)
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        return (fd, path)
    }

    func receive(_ fd: Int32) throws -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: 65_536)
        let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        try #require(count > 0, "no datagram")
        return Array(buffer[..<count])
    }

    /// Decodes the native protocol (both forms) into fields.
    func decode(_ bytes: [UInt8]) throws -> [String: String] {
        var fields: [String: String] = [:]
        var index = 0
        while index < bytes.count {
            let end = try #require(bytes[index...].firstIndex { $0 == 0x0A || $0 == UInt8(ascii: "=") })
            let name = String(decoding: bytes[index..<end], as: UTF8.self)
            if bytes[end] == UInt8(ascii: "=") {
                let lineEnd = try #require(bytes[end...].firstIndex(of: 0x0A))
                fields[name] = String(decoding: bytes[(end + 1)..<lineEnd], as: UTF8.self)
                index = lineEnd + 1
            } else {
                let lengthBytes = bytes[(end + 1)..<(end + 9)]
                let length = Int(lengthBytes.reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
                let start = end + 9
                fields[name] = String(decoding: bytes[start..<(start + length)], as: UTF8.self)
                #expect(bytes[start + length] == 0x0A)
                index = start + length + 1
            }
        }
        return fields
    }

    @Test func anEventIsOneEntryWithItsMetadataAsFields() throws {
        let (fd, path) = try journald()
        defer { close(fd); unlink(path) }
        var logger = Logger(label: "polypipe.exec-proc") { label in
            JournalLogHandler(label: label, identifier: "exec-proc", socket: JournalSocket(path: path))
        }
        logger[metadataKey: "mode"] = "paper"
        logger.notice("action refused", metadata: ["action.id": "sched-3", "reason": "risk: two\nlines"])
        let fields = try decode(try receive(fd))
        #expect(fields["PRIORITY"] == "5")
        #expect(fields["SYSLOG_IDENTIFIER"] == "exec-proc" && fields["POLYPIPE_LOGGER"] == "polypipe.exec-proc")
        #expect(fields["ACTION_ID"] == "sched-3" && fields["MODE"] == "paper")
        #expect(fields["REASON"] == "risk: two\nlines", "a value with a line break uses the length-prefixed form")
        #expect(fields["MESSAGE"] == "action refused action.id=sched-3 mode=paper reason=risk: two\nlines")
        #expect(fields["CODE_FUNC"] != nil && fields["CODE_LINE"].flatMap(Int.init) != nil)
    }

    @Test func levelsBelowTheThresholdAreNotSent() throws {
        let (fd, path) = try journald()
        defer { close(fd); unlink(path) }
        let logger = Logger(label: "t") { label in
            var handler = JournalLogHandler(label: label, identifier: "t", socket: JournalSocket(path: path))
            handler.logLevel = .warning
            return handler
        }
        logger.info("quiet")
        logger.error("loud")
        #expect(try decode(try receive(fd))["MESSAGE"] == "loud")
    }

    @Test func fieldNamesAreWhatTheJournalAccepts() {
        #expect(JournalLogHandler.fieldName("action.id") == "ACTION_ID")
        #expect(JournalLogHandler.fieldName("_private") == "M_PRIVATE")
        #expect(JournalLogHandler.fieldName("9lives") == "M9LIVES")
        #expect(JournalLogHandler.fieldName(String(repeating: "a", count: 100)).count == 64)
        #expect([Logger.Level.trace, .debug, .info, .notice, .warning, .error, .critical].map(JournalLogHandler.priority) == [7, 7, 6, 5, 4, 3, 2])
    }

    @Test func stderrIsTheJournalOnlyWhenJournalStreamNamesIt() {
        var info = stat()
        fstat(STDERR_FILENO, &info)
        #expect(JournalSocket.stderrIsJournal(environment: ["JOURNAL_STREAM": "\(info.st_dev):\(info.st_ino)"]))
        #expect(!JournalSocket.stderrIsJournal(environment: ["JOURNAL_STREAM": "\(info.st_dev):\(info.st_ino + 1)"]))
        #expect(!JournalSocket.stderrIsJournal(environment: [:]))
    }

    @Test func anUnreachableJournalFallsBackWithoutLosingTheSendResult() {
        #expect(!JournalSocket(path: "/nonexistent/journal.sock").send(Array("MESSAGE=x\n".utf8)))
    }
}
