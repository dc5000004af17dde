/// A Bloom filter over the journal's keys — every action id and order hash it holds — so that
/// "this action was never journaled" is answered from memory, without a SQLite read: the answer
/// for every new action on the signing path (a read after the indexer's commit costs tens of
/// microseconds, SQLite's page cache having been invalidated by it).
///
/// A "no" is certain: ``JournalLog`` inserts every key of every change it writes or reads in,
/// and reloads the filter from SQLite whenever rows may have arrived another way (at open, and
/// when another instance emptied the log). A "maybe" is answered by SQLite as before, so a
/// false positive costs one read and never a wrong answer.
///
/// ```swift
/// let keys = JournalKeyFilter(capacity: 1_000)
/// keys.insert("a1", kind: .action)
/// keys.mightContain("a1", kind: .action)   // true
/// keys.mightContain("a2", kind: .action)   // false (or, rarely, true)
/// ```
///
/// Sized at open for the journal's rows plus a million new keys: 16 bits and 4 probes per key,
/// about 0.24 % false positives at that size (`(1 − e^(−4/16))^4`). Past it, the rate only grows;
/// answers stay exact.
///
/// A class, not a value: a copy-on-write array of this size (2 MiB) copied once by a stray
/// second reference costs more than the SQLite read it saves. Not thread-safe: ``JournalLog``
/// uses it under its state lock only.
final class JournalKeyFilter {
    /// The two key spaces: an action id and an order hash never answer for each other.
    enum Kind: UInt8 {
        case action = 1
        case orderHash = 2
    }

    private static let probes = 4
    private var words: [UInt64]
    private let bitMask: UInt64

    /// Keys inserted so far.
    private(set) var count = 0

    /// - Parameter capacity: the keys expected; the filter takes 2 bytes per key, rounded up to
    ///   a power of two (at least 128 KiB).
    init(capacity: Int) {
        let bits = max(1 << 20, (max(capacity, 1) * 16).nextPowerOfTwo)
        words = [UInt64](repeating: 0, count: bits / 64)
        bitMask = UInt64(bits - 1)
    }

    func insert(_ key: String, kind: Kind) {
        count += 1
        forEachBit(of: key, kind: kind) { word, bit in words[word] |= bit }
    }

    /// False when `key` was certainly never inserted.
    func mightContain(_ key: String, kind: Kind) -> Bool {
        var all = true
        forEachBit(of: key, kind: kind) { word, bit in if words[word] & bit == 0 { all = false } }
        return all
    }

    /// Double hashing (Kirsch–Mitzenmacher): probe i is `h1 + i·h2`, from one 64-bit hash.
    private func forEachBit(of key: String, kind: Kind, _ body: (Int, UInt64) -> Void) {
        var hasher = Hasher()
        hasher.combine(kind.rawValue)
        hasher.combine(key)
        let hash = UInt64(bitPattern: Int64(hasher.finalize()))
        let h1 = hash & 0xFFFF_FFFF, h2 = (hash >> 32) | 1
        for probe in 0..<UInt64(Self.probes) {
            let index = (h1 &+ probe &* h2) & bitMask
            body(Int(index >> 6), 1 << (index & 63))
        }
    }
}

extension Int {
    /// The smallest power of two at or above `self` (for `self` ≥ 1).
    fileprivate var nextPowerOfTwo: Int { self <= 1 ? 1 : 1 << (Int.bitWidth - (self - 1).leadingZeroBitCount) }
}
