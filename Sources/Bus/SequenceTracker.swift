/// Follows each publisher's `(epoch, sequence)` stream and says whether a message can be
/// trusted in order, or whether the subscriber must ask for a snapshot (ZeroMQ "Clone").
public struct SequenceTracker: Sendable {
    /// What one message means for the subscriber's view.
    public enum Verdict: Sendable, Equatable {
        /// The next message of a known stream: apply it.
        case inOrder
        /// The first message seen from this source: take a snapshot before applying.
        case firstContact
        /// Messages were lost between `expected` and `received`: take a snapshot.
        case gap(expected: UInt64, received: UInt64)
        /// The publisher restarted (new epoch): take a snapshot.
        case restarted(previousEpoch: UInt64, epoch: UInt64)
        /// Already seen (or older): drop it.
        case stale
    }

    private var last: [String: (epoch: UInt64, sequence: UInt64)] = [:]

    public init() {}

    /// Records `envelope` and judges it; a stale message leaves the position unchanged.
    public mutating func observe(_ envelope: Envelope) -> Verdict {
        let verdict = judge(envelope)
        if verdict != .stale { last[envelope.source] = (envelope.epoch, envelope.sequence) }
        return verdict
    }

    private func judge(_ envelope: Envelope) -> Verdict {
        guard let current = last[envelope.source] else { return .firstContact }
        if envelope.epoch != current.epoch {
            // An older epoch after a newer one is a straggler from before the restart.
            return envelope.epoch > current.epoch ? .restarted(previousEpoch: current.epoch, epoch: envelope.epoch) : .stale
        }
        if envelope.sequence <= current.sequence { return .stale }
        if envelope.sequence == current.sequence + 1 { return .inOrder }
        return .gap(expected: current.sequence + 1, received: envelope.sequence)
    }

    /// After a snapshot taken at `(epoch, sequence)`, messages up to that point are stale.
    public mutating func resynchronized(source: String, epoch: UInt64, sequence: UInt64) {
        last[source] = (epoch, sequence)
    }
}
