
/// The settings the units run with: `/etc/polypipe/polypipe.env` (systemd `EnvironmentFile=`
/// syntax) over the defaults the unit files set with `Environment=`.
struct DeploymentSettings: Sendable, Equatable {
    var values: [String: String]

    /// The units' own `Environment=` defaults.
    static let unitDefaults: [String: String] = [
        "POLYPIPE_MODE": "paper", "POLYPIPE_VENUE": "http://127.0.0.1:8080", "POLYPIPE_CHAIN_ID": "137",
    ]

    /// Parses an environment file: `NAME=value` lines; `#` and `;` start comments; a value in
    /// matching single or double quotes loses them.
    init(environmentFile text: String?) {
        values = Self.unitDefaults
        for raw in (text ?? "").split(separator: "\n") {
            let line = String(raw).trimmingWhitespace
            guard !line.isEmpty, !line.hasPrefix("#"), !line.hasPrefix(";"), let equals = line.firstIndex(of: "=") else { continue }
            let name = String(line[..<equals]).trimmingWhitespace
            var value = String(line[line.index(after: equals)...]).trimmingWhitespace
            if value.count >= 2, let first = value.first, first == "\"" || first == "'", value.last == first {
                value = String(value.dropFirst().dropLast())
            }
            values[name] = value
        }
    }

    subscript(name: String) -> String? { values[name] }

    var mode: String { values["POLYPIPE_MODE"] ?? "paper" }
    var venue: String { values["POLYPIPE_VENUE"] ?? "" }
    var chainID: String { values["POLYPIPE_CHAIN_ID"] ?? "" }

    /// exec-proc's extra options, split on white space as systemd splits `$POLYPIPE_EXEC_OPTIONS`.
    var execOptions: [String] { options("POLYPIPE_EXEC_OPTIONS") }

    /// The extra options in `variable`, split on white space as systemd splits them.
    func options(_ variable: String) -> [String] {
        (values[variable] ?? "").split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
    }

    /// Whether exec-proc gets `--name` (a flag).
    func execFlag(_ name: String) -> Bool { execOptions.contains("--\(name)") }

    /// The value of exec-proc's `--name=value` or `--name value`.
    func execOption(_ name: String) -> String? { option(name, in: "POLYPIPE_EXEC_OPTIONS") }

    /// The value of `--name=value` or `--name value` in the options of `variable`.
    func option(_ name: String, in variable: String) -> String? {
        let options = options(variable)
        for (index, option) in options.enumerated() {
            if option.hasPrefix("--\(name)=") { return String(option.dropFirst(name.count + 3)) }
            if option == "--\(name)", index + 1 < options.count { return options[index + 1] }
        }
        return nil
    }
}
