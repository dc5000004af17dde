import Foundation
import Logging
import Synchronization
import PolypipeCore
import VenueClient
import PolypipeRuntime

/// Book mids for the risk rules' price band, kept fresh by a background thread (a
/// ``BackgroundWorker`` named `book-watch`) with its own
/// venue connection, so the execution thread reads a mid from memory instead of waiting for a
/// `GET /book` round trip every time its cached one ages out.
///
/// A token is *watched* from the first time exec-proc needs its mid (``store(_:for:atMillis:)``)
/// until nobody has asked for it for ``forgetAfterMillis``. Every ``refreshMillis`` the thread
/// re-reads the book of each watched token. A failed read leaves the old value to age: a reader
/// that finds it older than its limit fetches the book itself and, if that fails too, refuses
/// the order (fail closed: the band is never checked against a stale book).
public final class BookWatch: Sendable {
    struct Entry {
        var mid: Price?
        var atMillis: Int64
        var wantedAtMillis: Int64
    }

    public let refreshMillis: Int64
    public let forgetAfterMillis: Int64
    private let client: any VenueAPI
    private let logger: Logger
    private let clock: @Sendable () -> Int64
    private let entries = Mutex<[TokenID: Entry]>([:])
    private let worker = Mutex<BackgroundWorker?>(nil)

    public init(client: any VenueAPI, refreshMillis: Int64 = 250, forgetAfterMillis: Int64 = 60_000, logger: Logger,
                clock: @escaping @Sendable () -> Int64 = { BusClock.nowMillis() }) {
        self.client = client
        self.refreshMillis = refreshMillis
        self.forgetAfterMillis = forgetAfterMillis
        self.logger = logger
        self.clock = clock
    }

    /// The last mid read for `token` if it is younger than `maxAgeMillis` (the outer optional:
    /// nil when there is none that fresh; the inner: a side of the book is empty).
    public func mid(of token: TokenID, maxAgeMillis: Int64, nowMillis: Int64) -> Price?? {
        entries.withLock { entries -> Price?? in
            guard var entry = entries[token] else { return nil }
            entry.wantedAtMillis = nowMillis
            entries[token] = entry
            return nowMillis - entry.atMillis < maxAgeMillis ? .some(entry.mid) : nil
        }
    }

    /// Records a mid read elsewhere (the execution thread's own fetch) and watches the token.
    public func store(_ mid: Price?, for token: TokenID, atMillis: Int64) {
        entries.withLock { $0[token] = Entry(mid: mid, atMillis: atMillis, wantedAtMillis: atMillis) }
    }

    /// Tokens being refreshed now.
    public var watched: Set<TokenID> { entries.withLock { Set($0.keys) } }

    /// Starts the refreshing thread. Call once.
    public func start() {
        let worker = BackgroundWorker(name: "book-watch") { [self] in run($0) }
        self.worker.withLock { $0 = worker }
        worker.start()
    }

    /// Stops the thread and waits for it (at most the book reads of one pass). Idempotent; does
    /// nothing before ``start()``.
    public func stop() { worker.withLock { $0 }?.stopAndJoin() }

    /// One refresh pass over every watched token (the thread calls it every ``refreshMillis``);
    /// `isStopping` is checked between tokens, so a stop waits for one book read at most.
    public func refreshOnce(isStopping: () -> Bool = { false }) {
        let now = clock()
        let tokens = entries.withLock { entries -> [TokenID] in
            entries = entries.filter { now - $0.value.wantedAtMillis < forgetAfterMillis }
            return Array(entries.keys)
        }
        for token in tokens where !isStopping() {
            do {
                let book = try client.book(token)
                let mid = book.mid
                let at = clock()
                entries.withLock { entries in
                    guard var entry = entries[token] else { return }
                    entry.mid = mid
                    entry.atMillis = at
                    entries[token] = entry
                }
            } catch {
                logger.debug("book refresh failed; the old mid ages", metadata: ["token": "\(token)", "error": "\(error)"])
            }
        }
    }

    private func run(_ worker: BackgroundWorker) {
        while !worker.isStopRequested {
            let started = clock()
            refreshOnce { worker.isStopRequested }
            let elapsed = clock() - started
            if elapsed < refreshMillis { worker.sleep(milliseconds: refreshMillis - elapsed) }
        }
    }
}
