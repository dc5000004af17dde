@testable import clob_sim
import Foundation
import Testing
import PolypipeCore
import VenueClient

/// Deposit-wallet-only accounts (spec §1.9, §9): types 0–2 refused with the venue's message,
/// type 3 trades.
extension VenueTests {
    @Test func aDepositWalletOnlyAccountTradesThroughItsDepositWalletOnly() async throws {
        let wallet = try EthereumAddress("0x33D5d2a3c10216BE96917Ad0Cbed23a028d47687")
        var configuration = Venue.Configuration()
        configuration.fundedAccounts = try FundedAccount.load(
            #"[{"address":"\#(Self.alice.address.checksummed)","collateral":"1000","funders":{"3":"\#(wallet.checksummed)"},"depositWalletOnly":true}]"#)
        let clock = self.clock
        let venue = Venue(configuration: configuration, catalog: .staticSet(), clock: { clock.read() })
        let login = await venue.handle(try l1(Self.alice, "POST", "/auth/api-key"))
        let signer = try L2Signer(credentials: try ApiCredentials(json: try JSONParser.parse(login.body)), address: Self.alice.address)
        func body(_ type: SignatureType, funder: EthereumAddress?, salt: UInt64) throws -> [UInt8] {
            let builder = OrderBuilder(signer: OrderSigner(key: Self.alice, chain: .polygon), signatureType: type, funder: funder)
            let built = try builder.build(.limit(price: try Price("0.30"), size: try Shares("10")), side: .buy, tokenID: market.tokens[0], tick: market.tick,
                                          exchange: market.exchange, salt: UInt256(salt), timestamp: UInt256(UInt64(1)))
            return OrderPayload.bodyBytes(built.signed, owner: signer.credentials.apiKey, orderType: .gtc, deferExec: false, postOnly: false)
        }
        let refusals: [(SignatureType, EthereumAddress?)] = [(.eoa, nil), (.polyProxy, wallet), (.polyGnosisSafe, wallet)]
        for (index, (type, funder)) in refusals.enumerated() {
            let answer = await venue.handle(l2(signer, "POST", "/order", body: try body(type, funder: funder, salt: UInt64(index + 1))))
            #expect(answer.status == 400, "type \(type.rawValue): \(answer.body)")
            #expect(try JSONParser.parse(answer.body)["error"] == .string("maker address not allowed, please use the deposit wallet flow"))
        }
        let deposit = await venue.handle(l2(signer, "POST", "/order", body: try body(.poly1271, funder: wallet, salt: 9)))
        #expect(deposit.status == 200 && deposit.body.contains(#""status":"live""#), "\(deposit.body)")
        #expect(await venue.engine.openOrderIDs(owner: signer.credentials.apiKey).count == 1)

        // The flag is per account: Bob (not in the file) still trades as an EOA.
        let bobLogin = await venue.handle(try l1(Self.bob, "POST", "/auth/api-key"))
        let bob = try L2Signer(credentials: try ApiCredentials(json: try JSONParser.parse(bobLogin.body)), address: Self.bob.address)
        let bobOrder = OrderBuilder(signer: OrderSigner(key: Self.bob, chain: .polygon), signatureType: .eoa, funder: nil)
        let built = try bobOrder.build(.limit(price: try Price("0.30"), size: try Shares("10")), side: .buy, tokenID: market.tokens[0], tick: market.tick,
                                       exchange: market.exchange, salt: UInt256(UInt64(3)), timestamp: UInt256(UInt64(1)))
        let bobBody = OrderPayload.bodyBytes(built.signed, owner: bob.credentials.apiKey, orderType: .gtc, deferExec: false, postOnly: false)
        #expect(await venue.handle(l2(bob, "POST", "/order", body: bobBody)).status == 200)
    }
}
