/// The stages of an order's life inside the stack, each timed from the stamp before it on the
/// order's own event: action created (signal-proc) → received by exec-proc → validated (checks
/// and risk) → signed → journaled → sent to the venue (a wait for a rate-limit token included)
/// → answered. Metrics (`polypipe_stage_latency_seconds`), the dashboard and the end of
/// `polypipe up` all time them this way.
public enum OrderStage: String, CaseIterable, Sendable {
    case received, validated, signed, journaled, sent, answered
}

extension Polypipe_Bus_V1_OrderEvent {
    /// Each stage this event has a stamp for, in nanoseconds since the latest stamp before it.
    /// An event from an older exec-proc, without the middle stamps, times `sent` from `received`.
    public var stageDurations: [(stage: OrderStage, nanos: Int64)] {
        let created = actionCreatedAtMs > 0 ? UInt64(actionCreatedAtMs) * 1_000_000 : 0
        let stamps: [(OrderStage, UInt64)] = [(.received, receivedAtNs), (.validated, validatedAtNs), (.signed, signedAtNs),
                                              (.journaled, journaledAtNs), (.sent, sentAtNs), (.answered, answeredAtNs)]
        var previous = created
        var durations: [(stage: OrderStage, nanos: Int64)] = []
        for (stage, at) in stamps where at > 0 {
            if previous > 0, at >= previous { durations.append((stage, Int64(at - previous))) }
            previous = at
        }
        return durations
    }
}
