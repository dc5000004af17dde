import Foundation
import Logging
import Synchronization
import Testing
import Execution
import PolypipeCore
import VenueClient

/// The price band's book mids, refreshed off the execution thread.
@Suite struct BookWatchTests {
    /// A venue whose book for every token is bid `bid` / ask 0.60, `bid` settable; optionally failing.
    final class Books: HTTPTransport {
        let bid = Mutex("0.40")
        let failing = Atomic<Bool>(false)
        let reads = Atomic<Int>(0)

        func send(_ request: VenueClient.HTTPRequest) throws(TransportError) -> HTTPResponse {
            reads.add(1, ordering: .relaxed)
            if failing.load(ordering: .relaxed) { throw .timedOut("scripted") }
            let token = request.target.split(separator: "=").last.map(String.init) ?? ""
            let body = #"{"market": "m", "asset_id": "\#(token)", "timestamp": "1", "hash": "h", "bids": [{"price": "\#(bid.withLock { $0 })", "size": "10"}], "asks": [{"price": "0.60", "size": "10"}]}"#
            return HTTPResponse(status: 200, headers: [], body: Array(body.utf8))
        }
    }

    let token = try! TokenID(decimal: "12345")

    @Test func aStoredMidIsServedUntilItAgesAndRefreshesKeepItCurrent() {
        let books = Books()
        let now = Mutex<Int64>(1_000)
        let watch = BookWatch(client: ClobClient(transport: books, chain: .polygon), forgetAfterMillis: 10_000,
                              logger: Logger(label: "test"), clock: { now.withLock { $0 } })
        #expect(watch.mid(of: token, maxAgeMillis: 1_000, nowMillis: 1_000) == nil, "never read: nothing to serve")
        watch.store(Price(micros: 500_000), for: token, atMillis: 1_000)
        #expect(watch.mid(of: token, maxAgeMillis: 1_000, nowMillis: 1_500) == .some(Price(micros: 500_000)))
        #expect(watch.mid(of: token, maxAgeMillis: 1_000, nowMillis: 2_000) == nil, "1 s old: too old for the band")

        // The refresh reads the venue's book: mid of 0.40 / 0.60.
        now.withLock { $0 = 2_000 }
        watch.refreshOnce()
        #expect(watch.mid(of: token, maxAgeMillis: 1_000, nowMillis: 2_100) == .some(Price(micros: 500_000)))
        books.bid.withLock { $0 = "0.50" }
        now.withLock { $0 = 2_200 }
        watch.refreshOnce()
        #expect(watch.mid(of: token, maxAgeMillis: 1_000, nowMillis: 2_300) == .some(Price(micros: 550_000)))
    }

    @Test func aFailingRefreshLetsTheMidAgeAndAnUnwantedTokenIsForgotten() {
        let books = Books()
        let now = Mutex<Int64>(0)
        let watch = BookWatch(client: ClobClient(transport: books, chain: .polygon), forgetAfterMillis: 5_000,
                              logger: Logger(label: "test"), clock: { now.withLock { $0 } })
        watch.store(Price(micros: 450_000), for: token, atMillis: 0)
        books.failing.store(true, ordering: .relaxed)
        now.withLock { $0 = 900 }
        watch.refreshOnce()
        #expect(watch.mid(of: token, maxAgeMillis: 1_000, nowMillis: 1_200) == nil, "a failed read does not make an old mid fresh")

        books.failing.store(false, ordering: .relaxed)
        now.withLock { $0 = 7_000 }  // last asked for at 1_200: more than 5 s ago
        let readsBefore = books.reads.load(ordering: .relaxed)
        watch.refreshOnce()
        #expect(watch.watched.isEmpty)
        #expect(books.reads.load(ordering: .relaxed) == readsBefore, "a forgotten token is not read")
    }
}
