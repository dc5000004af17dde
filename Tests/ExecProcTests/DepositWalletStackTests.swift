import Foundation
import Testing
import PolypipeCore

/// Signature type 3 end to end (spec §1.9, §9: the default path for accounts made since May
/// 2026): exec-proc signs with the owner key for a deposit wallet (`--signature-type 3
/// --funder <wallet>`), clob-sim checks the POLY_1271 envelope and that the wallet is the one
/// bound to the key's owner (`--accounts`), the shares land in the wallet, fill-proc records
/// the fill, and recon-proc finds paper and actual in sync.
extension ProcessSuites {
@Suite(.serialized) struct DepositWalletStackTests {
    /// The deposit wallet bound to the test key's address (an arbitrary address: the sim keeps
    /// no code for it, only the binding and the balances).
    static let wallet = "0x3d1b8e5b8bc0e3e5d7a7f4c2e6b1a9c8d7e6f5a4"

    @Test func aDepositWalletOrderFillsAndTheStackReconcilesInSync() throws {
        let accounts = NSTemporaryDirectory() + "polypipe-accounts-\(UUID().uuidString.prefix(8)).json"
        let owner = ExecStack.key.address.checksummed
        try Data(#"[{"address": "\#(owner)", "collateral": "1000", "funders": {"3": "\#(Self.wallet)"}}]"#.utf8)
            .write(to: URL(fileURLWithPath: accounts))
        defer { try? FileManager.default.removeItem(atPath: accounts) }
        let stack = try ExecStack(simArguments: ["--time-scale", "5", "--accounts", accounts], execArguments: [])
        stack.execArguments = ["--readonly-credentials-out", stack.runtime + "/readonly.json", "--signature-type", "3", "--funder", Self.wallet]
        stack.killExec()
        try stack.startExec()
        let window = try stack.currentWindow()
        let fill = try FillProcTests.startFillProc(stack)
        defer { kill(fill.processIdentifier, SIGKILL); fill.waitUntilExit() }
        let recon = try ReconProcTests.startReconProc(stack)
        defer { kill(recon.processIdentifier, SIGKILL); recon.waitUntilExit() }

        // A marketable BUY (the maker's 0.50): the venue accepted a type-3 order.
        try FillProcTests.buy(stack, ["dw-1"], window: window)
        let state = try FillProcTests.waitFor(stack, "dw-1 confirmed") { $0.fills.contains { $0.actionID == "dw-1" && $0.settlement == .confirmed } }
        let ours = state.positions.first { $0.tokenID == window.token }?.sizeMicros ?? 0
        #expect(ours == 5_000_000)

        // The shares are the deposit wallet's, not the owner EOA's.
        let client = try stack.client()
        let token = try TokenID(decimal: window.token)
        let inWallet = try client.balanceAllowance(.conditional, tokenID: token, signatureType: .poly1271).balance.uint64Value
        let inOwner = try client.balanceAllowance(.conditional, tokenID: token, signatureType: .eoa).balance.uint64Value
        #expect(inWallet == 5_000_000 && inOwner == 0, "wallet \(inWallet.map(String.init) ?? "?"), owner \(inOwner.map(String.init) ?? "?")")

        // The order carried maker = signer = the wallet.
        let trades = try client.trades(tokenID: token)
        #expect(trades.contains { $0.makerAddress.lowercased() == Self.wallet.lowercased() })

        usleep(2_000_000)  // past recon-proc's grace period
        let report = try ReconProcTests.waitForReport(stack, "in sync after a deposit-wallet trade") { $0.inSync && $0.positionsCompared >= 1 }
        #expect(report.alarmsRaised == 0)
    }
}
}
