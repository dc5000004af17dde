import Foundation

/// Why a paper-mode process refuses its venue. Paper trades only against a simulator that has
/// proved it is one (``SimulatorIdentity``); the way to a real venue is the live gate.
///
/// Every description says what happened, that nothing was signed or sent, and how to go live
/// instead.
public enum PaperModeRefusal: Error, Equatable, CustomStringConvertible {
    /// The configured venue is one of Polymarket's production hosts (``ProductionVenue``).
    case productionHost(url: String, host: String)
    /// The venue answered, but not as a simulator.
    case notASimulator(url: String, reason: String)
    /// The venue could not be asked (nothing is known about it, so nothing is sent).
    case unreachable(url: String, reason: String)

    public var description: String {
        let lead = "paper mode trades only against a simulator (clob-sim)"
        let after = "No key was used and nothing was signed or sent. To trade real money on a real venue, go through the live gate: --mode live --live --limits FILE and an acknowledgement (see exec-proc --help)."
        switch self {
        case .productionHost(let url, let host):
            return "\(lead), and \(url) is Polymarket's production venue (\(host)). \(after)"
        case .notASimulator(let url, let reason):
            return "\(lead), and \(url) did not prove it is one: \(reason). \(after)"
        case .unreachable(let url, let reason):
            return "\(lead), and \(url) could not be asked whether it is one: \(reason). \(after)"
        }
    }

    /// Why a paper-mode process may not open the WebSocket `streamURL` (it carries credentials
    /// in its first frame and cannot be proved like a REST connection): a production host, or
    /// any host and port other than the proven simulator's `venueURL`. Nil when it may.
    public static func checkStream(_ streamURL: String, venueURL: String) -> PaperModeRefusal? {
        if let host = ProductionVenue.host(of: streamURL) { return .productionHost(url: streamURL, host: host) }
        func endpoint(_ url: String) -> String? {
            guard let parts = URLComponents(string: url), let host = parts.host?.lowercased() else { return nil }
            let secure = ["https", "wss"].contains(parts.scheme?.lowercased() ?? "")
            return "\(host):\(parts.port ?? (secure ? 443 : 80))"
        }
        guard let stream = endpoint(streamURL), stream == endpoint(venueURL) else {
            return .notASimulator(url: streamURL, reason: "a paper-mode stream must be served by the proven simulator at \(venueURL)")
        }
        return nil
    }
}
