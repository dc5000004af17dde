import ArgumentParser

/// `polypipe auth …`: L1 and L2 authentication headers over JSON lines.
struct AuthCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "auth",
        abstract: "Produce L1 (wallet) and L2 (HMAC) authentication headers from JSON lines on stdin.",
        subcommands: [L1.self, L2.self]
    )

    struct L1: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "l1",
            abstract: "Sign a ClobAuth message: {private_key, chain_id, timestamp, nonce} -> {address, signature, headers}.",
            discussion: "private_key may be omitted when POLYMARKET_KEY is set. timestamp is unix seconds; nonce defaults to 0."
        )

        func run() throws {
            let tool = AuthRequests(keys: KeyProvider())
            JSONLines.run(tool.l1)
        }
    }

    struct L2: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "l2",
            abstract: "HMAC a request: {secret, timestamp, method, request_path, body} -> {hmac_message, signature, headers}.",
            discussion: """
            Optional api_key, passphrase and address are echoed into the POLY_* headers. \
            request_path carries no query string; a null or empty body adds nothing to the message.
            """
        )

        func run() throws {
            JSONLines.run(AuthRequests(keys: KeyProvider()).l2)
        }
    }
}
