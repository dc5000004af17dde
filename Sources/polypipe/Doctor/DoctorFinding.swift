/// One result of a `polypipe doctor` check: what was looked at, what was found and, when it is
/// not fine, what to do about it.
struct DoctorFinding: Sendable, Equatable {
    enum Level: String, Sendable, Comparable {
        case ok, warn, fail

        static func < (lhs: Level, rhs: Level) -> Bool {
            let order: [Level] = [.ok, .warn, .fail]
            return order.firstIndex(of: lhs)! < order.firstIndex(of: rhs)!
        }
    }

    let level: Level
    /// The area checked: install, settings, key, venue-credential, processes, venue, account.
    let area: String
    let detail: String
    /// What to do (empty when nothing needs doing).
    var fix: String = ""

    static func ok(_ area: String, _ detail: String) -> DoctorFinding { DoctorFinding(level: .ok, area: area, detail: detail) }
    static func warn(_ area: String, _ detail: String, fix: String = "") -> DoctorFinding { DoctorFinding(level: .warn, area: area, detail: detail, fix: fix) }
    static func fail(_ area: String, _ detail: String, fix: String) -> DoctorFinding { DoctorFinding(level: .fail, area: area, detail: detail, fix: fix) }

    /// `FAIL  key               …` and, indented below, the fix.
    var text: String {
        let label = level == .ok ? "ok  " : level.rawValue.uppercased()
        let head = "\(label)  \(area.padding(toLength: 17, withPad: " ", startingAt: 0)) \(detail)"
        return fix.isEmpty ? head : head + "\n      \(String(repeating: " ", count: 17)) -> \(fix)"
    }
}
