import MarketData
/// A strategy that manages its orders: besides placing, it replaces and cancels, so it must
/// see what became of them. The runner feeds it exec-proc's and fill-proc's answers about its
/// own orders (``observe(_:)``) and asks it what to do on every market change (``commands(for:)``).
///
/// Like ``Strategy``, it never does I/O and never reads a clock: everything arrives in the
/// state and the feedback, so it is tested by feeding it values.
///
/// Every ``Strategy`` is one that only places (see the extension below).
public protocol ManagingStrategy: Sendable {
    /// The name stamped on every action (`Action.strategy`).
    var name: String { get }

    /// Whether the runner should subscribe to exec-proc's and fill-proc's events for it.
    var wantsFeedback: Bool { get }

    /// What to do now about one market.
    mutating func commands(for state: MarketState) -> [StrategyCommand]

    /// One answer about its own orders (events about other strategies' ids are for it to ignore).
    mutating func observe(_ feedback: StrategyFeedback)
}

extension ManagingStrategy where Self: Strategy {
    public var wantsFeedback: Bool { false }

    public mutating func commands(for state: MarketState) -> [StrategyCommand] { decide(state).map(StrategyCommand.place) }

    public mutating func observe(_ feedback: StrategyFeedback) {}
}

extension FairValueStrategy: ManagingStrategy {}
