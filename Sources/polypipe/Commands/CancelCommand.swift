import ArgumentParser
import Bus

/// `polypipe cancel`: one order, or every order of ours in a market (optionally one token).
struct Cancel: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel",
        abstract: "Cancel one order by its id, or every order of ours in a market (optionally one outcome token).",
        discussion: """
        Examples:
          polypipe cancel 0x3f…(the order id, 0x + 64 hex)
          polypipe cancel --market 0x5a…(the condition id) [--token 1234…]

        Allowed in every trading state, halted included; trading is not halted by this. An order \
        the venue reports already matched is not cancelled (its fill will come) and is listed \
        under "not canceled". The exit status is 1 when nothing was cancelled (the order is not \
        ours, already gone or matched, the market had none resting, or the venue did not answer).

        """ + ControlExitStatus.discussion
    )

    @Argument(help: "The order id (the EIP-712 order hash, 0x + 64 hex) to cancel.")
    var orderID: String?
    @Option(name: .customLong("market"), help: "Cancel every order of ours in this market (condition id, 0x + 64 hex).")
    var market: String?
    @Option(name: .customLong("token"), help: "With --market: only the orders of this outcome token (decimal token id).")
    var token: String?
    @OptionGroup var options: ControlOptions

    func validate() throws {
        switch (orderID, market) {
        case (nil, nil): throw ValidationError("name an order id, or --market CONDITION_ID")
        case (_?, _?): throw ValidationError("name either an order id or --market, not both")
        default: break
        }
        if token != nil && market == nil { throw ValidationError("--token narrows --market: pass --market too") }
    }

    func run() throws {
        let (orderID, market, token) = (orderID, market, token)
        try ControlCall(options: options, command: orderID != nil ? .cancelOrder : .cancelMarket, name: "cancel") { request in
            request.orderID = orderID ?? ""
            request.market = market ?? ""
            request.tokenID = token ?? ""
        }.run()
    }
}
