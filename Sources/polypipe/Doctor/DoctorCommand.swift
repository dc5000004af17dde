import ArgumentParser

/// `polypipe doctor`: the preflight of a systemd deployment.
struct DoctorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check an installed polypipe before (and while) it trades, and explain each problem.",
        discussion: """
        Looks at what scripts/install put in place and what the units need: the unit files, \
        binaries and system users; the settings in /etc/polypipe/polypipe.env (mode, venue, chain, \
        signature type and funder, risk limits, and for live mode the whole live gate); the \
        encrypted key credential (present, closed, not in clear); the read-only venue credential \
        exec-proc mints for fill-proc and recon-proc; which processes listen on their sockets and \
        exec-proc's trading state; whether the venue answers (exchange version, clock skew); and \
        the wallet's pUSD balance, read with the read-only key.

        Run it as root (it reads the credential files). Nothing is changed. Each line is ok, WARN \
        or FAIL; under a WARN or FAIL, the arrow says what to do. Exits 1 when anything failed.
        """
    )

    @Option(help: ArgumentHelp("Check an install under this directory instead of / (a staged or packaged tree).", valueName: "path"))
    var root: String = "/"

    func run() throws {
        let findings = Doctor(deployment: Deployment(root: root)).run()
        for finding in findings { ConsoleOutput.announce(finding.text) }
        let failed = findings.filter { $0.level == .fail }.count
        let warned = findings.filter { $0.level == .warn }.count
        ConsoleOutput.announce(failed == 0 ? "\(findings.count) checks: no failure, \(warned) warning(s)." : "\(findings.count) checks: \(failed) failed, \(warned) warning(s).")
        if failed > 0 { throw ExitCode(1) }
    }
}
