import Foundation
import PolypipeCore

extension ExecutionStats {
    /// The human block, one fact per line, labels in one column:
    /// ```
    /// Execution statistics
    ///   orders            12
    ///   fills             9 (fill rate 75.0%)
    ///   fill latency      avg 41 ms  p50 35 ms  p95 80 ms  p99 95 ms
    ///   slippage          avg 0.0030 (30.0 bps)
    ///   net realized P&L  +1.250000 pUSD
    ///   active positions  2
    /// ```
    /// followed by the fees paid (already taken off the realized P&L), unrealized P&L (when
    /// marked), voided fills (when any) and one line per asset (its realized P&L net of its fees,
    /// which it names when there are any). Amounts are exact: never rounded to fewer decimals
    /// than they have.
    public var text: String {
        var lines = ["Execution statistics"]
        func line(_ label: String, _ value: String) { lines.append("  " + label.padding(toLength: 18, withPad: " ", startingAt: 0) + value) }
        line("orders", String(orders))
        let tenths = orders == 0 ? 0 : (filledOrders * 2_000 + orders) / (orders * 2)
        line("fills", "\(fills) (fill rate \(tenths / 10).\(tenths % 10)%)")
        if let latency {
            line("fill latency", "avg \(latency.averageMillis) ms  p50 \(latency.p50Millis) ms  p95 \(latency.p95Millis) ms  p99 \(latency.p99Millis) ms")
        } else {
            line("fill latency", "none measured")
        }
        if let slippage {
            let average = Signed<Price>(micros: slippage.averageMicros)
            let text = (average.isNegative ? "-" : "") + MicroUnits.format(average.magnitude.micros, minimumDecimals: 4)
            line("slippage", "avg \(text) (\(Slippage.basisPointsText(relativeMicros: slippage.averageRelativeMicros)) bps)")
        } else {
            line("slippage", "none measured")
        }
        line("net realized P&L", Signed<Collateral>(micros: realizedPnLMicros).signedText(minimumDecimals: 6) + " pUSD")
        line("active positions", String(activePositions))
        line("fees paid", MicroUnits.format(feesMicros, minimumDecimals: 6) + " pUSD")
        if let unrealizedPnLMicros { line("unrealized P&L", Signed<Collateral>(micros: unrealizedPnLMicros).signedText(minimumDecimals: 6) + " pUSD") }
        if voidedFills > 0 { line("voided fills", String(voidedFills)) }
        if !assets.isEmpty {
            lines.append("  per asset")
            for asset in assets {
                let size = Signed<Shares>(micros: asset.sizeMicros)
                let position = (size.isNegative ? "-" : "") + MicroUnits.format(size.magnitude.micros, minimumDecimals: 2)
                var text = "    \(asset.label)  orders \(asset.orders)  fills \(asset.fills)  position \(position) @ "
                    + MicroUnits.format(asset.averagePriceMicros, minimumDecimals: 2)
                    + "  realized " + Signed<Collateral>(micros: asset.realizedPnLMicros).signedText(minimumDecimals: 6)
                if asset.feesMicros > 0 { text += " (after fees " + MicroUnits.format(asset.feesMicros, minimumDecimals: 6) + ")" }
                if let unrealized = asset.unrealizedPnLMicros {
                    text += "  unrealized " + Signed<Collateral>(micros: unrealized).signedText(minimumDecimals: 6)
                }
                lines.append(text)
            }
        }
        return lines.joined(separator: "\n")
    }

    /// The same facts for machines (`--json`): keys sorted, so the output is stable.
    public var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        // Encoding a struct of integers, strings and optionals cannot fail.
        guard let data = try? encoder.encode(self) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }
}
