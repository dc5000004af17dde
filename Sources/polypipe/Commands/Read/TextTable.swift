import PolypipeCore

/// Aligned columns for the read commands' human output: a header row, then one row per item,
/// each column as wide as its widest cell, two spaces apart. Numbers are right-aligned so
/// their decimal points line up when they have the same number of decimals.
struct TextTable {
    enum Alignment { case left, right }

    struct Column {
        let title: String
        let alignment: Alignment
        static func left(_ title: String) -> Column { Column(title: title, alignment: .left) }
        static func right(_ title: String) -> Column { Column(title: title, alignment: .right) }
    }

    let columns: [Column]
    var rows: [[String]] = []

    init(_ columns: [Column]) { self.columns = columns }

    mutating func add(_ cells: [String]) {
        precondition(cells.count == columns.count, "a row has \(cells.count) cells for \(columns.count) columns")
        rows.append(cells)
    }

    /// The table as lines (no trailing spaces).
    var text: String {
        let all = [columns.map(\.title)] + rows
        let widths = columns.indices.map { index in all.map { $0[index].count }.max() ?? 0 }
        return all.map { cells in
            var line = ""
            for (index, cell) in cells.enumerated() {
                let pad = String(repeating: " ", count: widths[index] - cell.count)
                let last = index == cells.count - 1
                line += columns[index].alignment == .right ? pad + cell : cell + (last ? "" : pad)
                if !last { line += "  " }
            }
            // An empty last cell (or left padding before it) leaves no trailing spaces.
            while line.hasSuffix(" ") { line.removeLast() }
            return line
        }.joined(separator: "\n")
    }
}

/// Exact decimal text of signed micro-units (P&L): -1_250_000 → `-1.25`, 0 → `0`.
enum SignedMicros {
    static func format(_ micros: Int64) -> String {
        micros < 0 ? "-" + MicroUnits.format(micros.magnitude) : MicroUnits.format(UInt64(micros))
    }
}
