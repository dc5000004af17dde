import Logging
import PolypipeCore
import PolypipeRuntime
import Synchronization

/// Writes everything a stack publishes to a bus recording (``BusRecordLine``), on a thread of
/// its own, until stopped.
///
/// ```swift
/// let recorder = try BusRecorder(layout: layout, path: "bus.jsonl", logger: logger)
/// recorder.start()
/// …
/// let summary = try recorder.stop()   // joins the thread, closes the file complete
/// print(summary.text)
/// ```
///
/// Rules:
/// - The file is created new (an existing one is refused) before anything runs.
/// - ``stop()`` drains what already arrived, then flushes, syncs and closes the file; a write
///   error ends the recording and is thrown by ``stop()`` (nothing fails silently).
public final class BusRecorder: Sendable {
    /// What was written, per topic.
    public struct Summary: Sendable, Equatable {
        public var messages: Int
        public var byTopic: [String: Int]
        public var malformed: Int
        public var bytes: Int
        public var path: String

        /// `recorded 123 bus messages (order 40, status 60, …) to FILE, N bytes`.
        public var text: String {
            let topics = byTopic.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
            let bad = malformed > 0 ? "; \(malformed) malformed frames skipped" : ""
            return "recorded \(messages) bus messages (\(topics.isEmpty ? "none" : topics)) to \(path), \(bytes) bytes\(bad)"
        }
    }

    private struct Progress {
        var byTopic: [String: Int] = [:]
        var malformed = 0
        var failure: FileWriteError?
    }

    /// Shared by the recorder and its thread.
    private final class ProgressBox: Sendable {
        let state = Mutex(Progress())
        func withLock<T>(_ body: (inout Progress) -> T) -> T { state.withLock { body(&$0) } }
    }

    private let file: JSONLinesWriter
    private let progress = ProgressBox()
    private let worker: BackgroundWorker

    /// - Throws: ``FileWriteError`` when `path` exists or cannot be created; ``BusError`` when
    ///   a socket cannot be made.
    public init(layout: BusLayout, path: String, logger: Logger) throws {
        let tap = try BusTap(context: try ZmqContext(), layout: layout)
        let file = try JSONLinesWriter(path: path, firstLine: BusRecordLine.header(
            startedAtMillis: BusClock.nowMillis(), runtimeDirectory: layout.runtimeDirectory))
        self.file = file
        let progress = self.progress
        // The tap is created here and used only on the worker's thread from then on (the
        // worker's start is the happens-before edge ZmqSocket asks for).
        nonisolated(unsafe) let ownedTap = tap
        worker = BackgroundWorker(name: "bus-recorder") { worker in
            var stopping = false
            while true {
                let messages: [BusTap.Message]
                do { messages = try ownedTap.receive(timeoutMilliseconds: stopping ? 0 : 100) } catch {
                    logger.error("bus recording: the tap failed", metadata: ["error": "\(error)"])
                    return
                }
                for message in messages {
                    do throws(FileWriteError) { try file.append(BusRecordLine.line(message)) } catch {
                        progress.withLock { $0.failure = error }
                        return
                    }
                    progress.withLock { $0.byTopic[message.envelope.topic, default: 0] += 1 }
                }
                progress.withLock { $0.malformed = ownedTap.malformed.values.reduce(0, +) }
                if stopping && messages.isEmpty { return }
                if worker.isStopRequested { stopping = true }  // one more pass takes what already arrived
            }
        }
    }

    public func start() { worker.start() }

    /// Stops, drains and closes. - Throws: the first write error, if any.
    @discardableResult
    public func stop() throws(FileWriteError) -> Summary {
        worker.stop()
        worker.join()
        let (byTopic, malformed, failure) = progress.withLock { ($0.byTopic, $0.malformed, $0.failure) }
        try file.close()
        if let failure { throw failure }
        return Summary(messages: file.count, byTopic: byTopic, malformed: malformed, bytes: file.bytes, path: file.path)
    }
}
