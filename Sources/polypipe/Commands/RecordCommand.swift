import ArgumentParser
import Foundation
import Logging
import MarketData
import PolypipeRuntime
import Synchronization
import Upstream
import VenueClient

/// `polypipe record`: an upstream venue's public market data to a file, for replay.
struct RecordCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "record",
        abstract: "Record a venue's public market data (windows, books, trades, reference price) to a JSON-lines file.",
        discussion: """
        Follows the Up/Down windows of each --window length as signal-proc does (Gamma, then \
        the market channel for the window's two tokens, their REST books on every (re)connect), \
        the RTDS reference price and the venue's clock, and writes every message with the time \
        this host received it. Public data only: no key is read, nothing is signed, no order, \
        cancel or authenticated request is sent — so recording the production venue \
        (--venue polymarket) needs no account.

        The file (never overwritten) is one header line, then one record per line: \
        {"t": receive unix ms, "kind": market|price|book|window|terms|resolution|clock|feed, "key", "data": the \
        venue's own JSON}. `clob-sim --replay FILE` serves it back.

        Stops after --duration seconds, or on Ctrl-C / SIGTERM; either way the file is flushed \
        and complete. Prints one summary line (records by kind, bytes).

        Exit status: 0 recorded; 1 nothing could be recorded; 2 a bad option or an unwritable file.
        """
    )

    @Option(help: ArgumentHelp("The venue to record: polymarket (production hosts) or a simulator's URL.", valueName: "url"))
    var venue: String = VenueEndpoints.localSimulator.clob

    @Option(help: ArgumentHelp("The file to write (must not exist).", valueName: "path"))
    var out: String

    @Option(help: ArgumentHelp("Stop after this many seconds (default: until Ctrl-C).", valueName: "seconds"))
    var duration: Int?

    @Option(help: ArgumentHelp("Window lengths to follow, comma-separated: 5m, 15m, 20s (20s: clob-sim only).", valueName: "lengths"))
    var window: String = "5m,15m"

    @Option(help: ArgumentHelp("The reference-price symbol (RTDS).", valueName: "symbol"))
    var symbol: String = "btcusdt"

    func validate() throws {
        if let duration, duration <= 0 { throw ValidationError("--duration must be a positive number of seconds, not \(duration).") }
        _ = try lengths()
        do { _ = try VenueEndpoints(venue: venue) } catch { throw ValidationError("\(error)") }
    }

    func lengths() throws -> [UpDownWindow.Length] {
        let parts = window.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        guard !parts.isEmpty else { throw ValidationError("--window needs at least one length (5m, 15m, 20s).") }
        return try parts.map { part in
            guard let length = UpDownWindow.Length(rawValue: part) else {
                throw ValidationError("--window: '\(part)' is not a window length (5m, 15m, 20s).")
            }
            return length
        }
    }

    func run() throws {
        let endpoints = try VenueEndpoints(venue: venue)
        let writer: RecordingWriter
        do {
            writer = try RecordingWriter(path: out, header: RecordingHeader(
                startedAtMillis: Int64(Date().timeIntervalSince1970 * 1000), upstream: endpoints.clob,
                windows: try lengths().map(\.rawValue), symbol: symbol))
        } catch {
            ConsoleOutput.error("polypipe record: \(error)")
            throw ExitCode(2)
        }
        StopSignals.install()
        var logger = Logger(label: "polypipe.record")
        logger.logLevel = .notice
        let feed = UpstreamFeed(endpoints: endpoints, lengths: try lengths(), symbol: symbol, logger: logger)
        let counts = Mutex<[UpstreamRecord.Kind: Int]>([:])
        let failure = Mutex<String?>(nil)
        let done = DispatchSemaphore(value: 0)
        let task = Task {
            for await record in feed.records() {
                do { try writer.append(record) } catch {
                    failure.withLock { $0 = "\(error)" }
                    break
                }
                counts.withLock { $0[record.kind, default: 0] += 1 }
            }
            done.signal()
        }
        let started = Date()
        while !StopSignals.requested.load(ordering: .acquiring), failure.withLock({ $0 }) == nil {
            if let duration, Date().timeIntervalSince(started) >= Double(duration) { break }
            usleep(100_000)
        }
        task.cancel()
        done.wait()
        do { try writer.close() } catch {
            ConsoleOutput.error("polypipe record: \(error)")
            throw ExitCode(2)
        }
        if let failure = failure.withLock({ $0 }) {
            ConsoleOutput.error("polypipe record: \(failure)")
            throw ExitCode(2)
        }
        let byKind = counts.withLock { $0 }
        let kinds = UpstreamRecord.Kind.allCases.map { "\($0.rawValue) \(byKind[$0] ?? 0)" }.joined(separator: ", ")
        print("recorded \(writer.count) records (\(kinds)) in \(Int(Date().timeIntervalSince(started))) s to \(out), \(writer.bytes) bytes")
        if byKind[.window] == nil && byKind[.market] == nil { throw ExitCode(1) }
    }
}
