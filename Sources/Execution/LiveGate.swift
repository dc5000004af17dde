import Foundation
import PolypipeCore

/// The layered confirmation that stands between a configuration and real orders. Going live
/// needs all of:
///
/// 1. the `--live` flag (the mode alone is not enough);
/// 2. a key (from the systemd credential or `POLYMARKET_KEY`);
/// 3. risk limits set explicitly (a limits file), never the built-in defaults;
/// 4. an acknowledgement: `I UNDERSTAND` typed on a terminal, or — for unattended runs under
///    systemd — a configured acknowledgement that names the wallet address that will sign
///    (`I UNDERSTAND 0x…`), so a copied configuration cannot arm a different wallet.
///
/// Nothing in code changes between paper and live.
public enum LiveGate {
    public static let phrase = "I UNDERSTAND"

    public enum Refusal: Error, Equatable, CustomStringConvertible {
        case flagMissing
        case notLiveMode
        case limitsNotConfigured
        case noAcknowledgement
        case acknowledgementMismatch(expectedAddress: String)
        case venueLooksLikeSimulator(String)

        public var description: String {
            switch self {
            case .flagMissing: return "live mode needs the --live flag as well"
            case .notLiveMode: return "--live was given but --mode is not live"
            case .limitsNotConfigured: return "live mode needs explicit risk limits (--limits FILE); the built-in defaults are for paper trading"
            case .noAcknowledgement:
                return "live mode needs an acknowledgement: type \(LiveGate.phrase) at the prompt, or configure --acknowledge '\(LiveGate.phrase) <wallet address>' for unattended runs"
            case .acknowledgementMismatch(let address):
                return "the configured acknowledgement does not name this wallet; expected '\(LiveGate.phrase) \(address)'"
            case .venueLooksLikeSimulator(let url):
                return "live mode is pointed at \(url), which is a loopback address; use --mode paper for a local venue"
            }
        }
    }

    /// What the operator supplied.
    public struct Request: Sendable {
        public var mode: ExecMode
        public var liveFlag: Bool
        public var limitsConfigured: Bool
        /// The configured acknowledgement text, if any.
        public var acknowledgement: String?
        /// The line typed at the prompt, when stdin is a terminal and nothing was configured.
        public var typed: String?
        public var venueURL: String

        public init(mode: ExecMode, liveFlag: Bool, limitsConfigured: Bool, acknowledgement: String?, typed: String?, venueURL: String) {
            self.mode = mode
            self.liveFlag = liveFlag
            self.limitsConfigured = limitsConfigured
            self.acknowledgement = acknowledgement
            self.typed = typed
            self.venueURL = venueURL
        }
    }

    /// Checks `request` for the wallet `address`. Paper and dry-run pass unless `--live` was
    /// given without the live mode (a confused configuration is refused, not guessed at).
    public static func check(_ request: Request, address: EthereumAddress) throws(Refusal) {
        guard request.mode == .live else {
            if request.liveFlag { throw .notLiveMode }
            return
        }
        guard request.liveFlag else { throw .flagMissing }
        guard request.limitsConfigured else { throw .limitsNotConfigured }
        let host = request.venueURL.lowercased()
        if host.contains("://127.") || host.contains("://localhost") || host.contains("://[::1]") {
            throw .venueLooksLikeSimulator(request.venueURL)
        }
        if let configured = request.acknowledgement {
            let parts = configured.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            guard parts.count == 3, parts[0] == "I", parts[1] == "UNDERSTAND", parts[2].lowercased() == address.checksummed.lowercased()
            else { throw .acknowledgementMismatch(expectedAddress: address.checksummed) }
            return
        }
        guard let typed = request.typed?.trimmingCharacters(in: .whitespacesAndNewlines), typed == phrase else { throw .noAcknowledgement }
    }
}
