import HummingbirdWebSocket
import PolypipeCore

/// One WebSocket connection to `/ws/market` or `/ws/user` (spec §5.1, §5.2): the first frame
/// subscribes (market: `assets_ids`; user: `auth` + `markets`), later frames change the
/// subscription, text `PING` is answered `PONG`, and venue events flow out until either side
/// closes (or the admin API drops every connection).
struct StreamSession {
    enum Kind: Sendable { case market, user, prices }
    let venue: Venue
    let kind: Kind
    var isUser: Bool { kind == .user }

    func run(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) async {
        let broadcaster = venue.broadcaster
        let initial: Broadcaster.Channel
        switch kind {
        case .market: initial = .market(assets: [])
        case .user: initial = .user(apiKeys: [], markets: [])
        case .prices: initial = .prices(symbols: [])
        }
        let (id, frames) = broadcaster.add(initial)
        defer { broadcaster.remove(id) }
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for await frame in frames {
                    do { try await outbound.write(.text(frame)) } catch { return }
                }
                // The stream ended: the connection was dropped on purpose.
                try? await outbound.close(.goingAway, reason: "dropped")
            }
            group.addTask {
                var owners: Set<String>?
                var symbols = Set<String>()
                var assets = Set<String>()
                var markets = Set<String>()
                do {
                    for try await message in inbound.messages(maxSize: 1 << 20) {
                        guard case .text(let text) = message else { continue }
                        if text == "PING" { broadcaster.send("PONG", to: id); continue }
                        guard let json = try? JSONParser.parse(text), case .object = json else {
                            broadcaster.send(#"{"error":"invalid message"}"#, to: id)
                            continue
                        }
                        let subscribe = (json["operation"]?.scalarText ?? json["action"]?.scalarText ?? "subscribe").lowercased() != "unsubscribe"
                        if kind == .prices {
                            // {"action":"subscribe","subscriptions":[{"topic":"crypto_prices","type":"update","filters":"btcusdt"}]}
                            guard case .array(let subscriptions)? = json["subscriptions"] else { continue }
                            let named = subscriptions.filter { $0["topic"]?.scalarText == "crypto_prices" }
                                .flatMap { ($0["filters"]?.scalarText ?? "btcusdt").split(separator: ",").map { $0.lowercased() } }
                            symbols = subscribe ? symbols.union(named) : symbols.subtracting(named)
                            broadcaster.update(id, .prices(symbols: symbols))
                        } else if isUser {
                            if owners == nil {
                                guard let auth = json["auth"], let key = auth["apiKey"]?.scalarText,
                                      let allowed = await venue.authenticateStream(apiKey: key, secret: auth["secret"]?.scalarText ?? "",
                                                                      passphrase: auth["passphrase"]?.scalarText ?? "") else {
                                    // Written here, not queued for the writer task: the close
                                    // below could otherwise overtake it (seen under load).
                                    try? await outbound.write(.text(#"{"error":"Unauthorized"}"#))
                                    try? await outbound.close(.policyViolation, reason: "unauthorized")
                                    return
                                }
                                owners = allowed
                            }
                            let named = Set(Self.strings(json["markets"]))
                            markets = subscribe ? markets.union(named) : markets.subtracting(named)
                            broadcaster.update(id, .user(apiKeys: owners ?? [], markets: markets))
                        } else {
                            let named = Self.strings(json["assets_ids"])
                            assets = subscribe ? assets.union(named) : assets.subtracting(named)
                            broadcaster.update(id, .market(assets: assets))
                            if subscribe && !named.isEmpty { await venue.subscribeMarket(connection: id, assets: named) }
                        }
                    }
                } catch {
                    return
                }
            }
            await group.next()
            group.cancelAll()
        }
    }

    /// The strings of a JSON array (anything else reads as empty).
    static func strings(_ value: JSONValue?) -> [String] {
        guard case .array(let items)? = value else { return [] }
        return items.compactMap { $0.scalarText }
    }
}
