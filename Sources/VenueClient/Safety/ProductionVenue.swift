import Foundation

/// Polymarket's production hosts (spec §0). Paper and simulator-only configurations refuse
/// them by name, before any request: a paper run must never reach the real venue.
public enum ProductionVenue {
    /// Every production host of spec §0 (CLOB REST and staging, the WebSockets, Gamma, the
    /// Data API, the price feed, the relayer).
    public static let hosts: Set<String> = [
        "clob.polymarket.com", "clob-staging.polymarket.com", "ws-subscriptions-clob.polymarket.com",
        "gamma-api.polymarket.com", "data-api.polymarket.com", "ws-live-data.polymarket.com",
        "relayer-v2.polymarket.com",
    ]

    /// The lower-cased host of `url` when it is one of Polymarket's (a host of spec §0, or any
    /// other name under `polymarket.com`); nil otherwise.
    public static func host(of url: String) -> String? {
        guard let host = URLComponents(string: url)?.host?.lowercased(), !host.isEmpty else { return nil }
        let name = host.hasSuffix(".") ? String(host.dropLast()) : host
        if hosts.contains(name) || name == "polymarket.com" || name.hasSuffix(".polymarket.com") { return name }
        return nil
    }
}
