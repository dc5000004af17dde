import ArgumentParser

/// `polypipe order …`: scriptable order signing over JSON lines.
struct OrderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "order",
        abstract: "Build and sign CLOB V2/V3 orders from JSON lines on stdin.",
        discussion: """
        Each input line is one JSON request; each output line is the matching result, in the \
        same order. A request that cannot be carried out yields {"error": "..."} and the tool \
        goes on with the next line. Field names are those of clob-v2-vectors.json.
        """,
        subcommands: [Build.self, Sign.self]
    )

    struct Build: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Compute amounts, sign, and write the POST /order body and L2 headers.",
            discussion: """
            Request: an `order` case's inputs: order_kind (limit | market | fixed_amounts), \
            private_key (else POLYMARKET_KEY), chain_id, signature_type, funder, api_creds \
            {api_key, api_secret, api_passphrase}, token_id or position_id, side, price_str, \
            size_str or amount_str (maker_amount/taker_amount for fixed_amounts), tick_size, \
            neg_risk, exchange_version, expiration, builder_code, metadata, order_type, \
            post_only, defer_exec, salt, timestamp_ms, l2_timestamp.

            Result: maker_amount, taker_amount, rounded_price_str, maker, signer, exchange, \
            exchange_version, verifying_contract, domain_separator, struct_hash, order_hash \
            (= the venue's order ID), signature, post_body (the exact bytes to send) and \
            post_headers (POLY_* L2 headers).

            Amounts are exact decimals: where the official Python client's floats lose a unit \
            (size 0.29 -> 0.28), this tool does not.

            Example:
              echo '{"order_kind":"limit","chain_id":137,"token_id":"1234","side":"BUY",\
            "price_str":"0.57","size_str":"10","tick_size":"0.01","api_creds":{...}}' \\
                | POLYMARKET_KEY=... polypipe order build
            """
        )

        func run() throws {
            let tool = OrderRequests(keys: KeyProvider())
            JSONLines.run(tool.build)
        }
    }

    struct Sign: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Sign an Order struct with given amounts (no rounding) and write the POST body.",
            discussion: """
            Request: private_key (else POLYMARKET_KEY), chain_id, exchange_version, neg_risk, \
            signature_type, funder, message {salt, maker, signer, tokenId, makerAmount, \
            takerAmount, side, signatureType, timestamp, metadata, builder}, expiration, \
            api_creds, order_type, post_only, defer_exec, l2_timestamp.

            Result: the fields of `order build` without the amounts.
            """
        )

        func run() throws {
            let tool = OrderRequests(keys: KeyProvider())
            JSONLines.run(tool.sign)
        }
    }
}
