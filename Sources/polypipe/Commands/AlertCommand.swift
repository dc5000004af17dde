import ArgumentParser
import Crypto
import Foundation
import Logging
import Reconciliation

/// `polypipe alert`: one operator alert to the webhook, from a script or a systemd
/// `OnFailure=` unit (`polypipe-alert@.service`).
struct AlertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alert",
        abstract: "Send one operator alert to the alert webhook (systemd OnFailure=, scripts).",
        discussion: """
        POSTs the same JSON as recon-proc's alarms and alerts (a Slack/Telegram-compatible \
        "text", and an "alert" object) to --webhook, else $POLYPIPE_ALERT_WEBHOOK. With \
        --state-dir, the same kind and subject is sent at most once per --repeat-after seconds \
        across runs (a unit failing in a loop alerts once, not every second).

        Exit status: 0 sent, suppressed as a repeat, or no webhook configured (said on stderr); \
        1 the webhook refused or did not answer after retries; 2 a bad option.
        """
    )

    @Option(help: ArgumentHelp("What happened: \(OperatorAlert.Kind.allCases.map(\.rawValue).joined(separator: ", ")).", valueName: "kind"))
    var kind: String

    @Option(help: ArgumentHelp("What it is about (a unit, a process).", valueName: "subject"))
    var subject: String

    @Option(help: ArgumentHelp("The sentence for a human (default: one made from kind and subject).", valueName: "text"))
    var message: String?

    @Option(help: ArgumentHelp("The webhook URL (default: $POLYPIPE_ALERT_WEBHOOK).", valueName: "url"))
    var webhook: String?

    @Option(help: ArgumentHelp("Telegram chat id for the body (default: $POLYPIPE_ALERT_CHAT_ID).", valueName: "id"))
    var chatID: String?

    @Option(help: ArgumentHelp("Where to remember what was sent, for de-duplication across runs.", valueName: "path"))
    var stateDir: String?

    @Option(help: ArgumentHelp("Seconds before the same kind and subject is sent again.", valueName: "seconds"))
    var repeatAfter: Int = 600

    func validate() throws {
        guard OperatorAlert.Kind(rawValue: kind) != nil else {
            throw ValidationError("--kind must be one of \(OperatorAlert.Kind.allCases.map(\.rawValue).joined(separator: ", ")), got \(kind).")
        }
        guard repeatAfter >= 0 else { throw ValidationError("--repeat-after must be 0 or more seconds.") }
    }

    func run() throws {
        let environment = ProcessInfo.processInfo.environment
        guard let url = webhook ?? environment["POLYPIPE_ALERT_WEBHOOK"].flatMap({ $0.isEmpty ? nil : $0 }) else {
            ConsoleOutput.error("polypipe alert: no webhook configured (--webhook or POLYPIPE_ALERT_WEBHOOK); nothing sent")
            return
        }
        var logger = Logger(label: "polypipe.alert")
        logger.logLevel = .notice
        let payload = AlarmWebhookPayload(source: "polypipe alert", chatID: chatID ?? environment["POLYPIPE_ALERT_CHAT_ID"])
        guard let sink = AlarmWebhook(url: url, payload: payload, logger: logger) else {
            ConsoleOutput.error("polypipe alert: the webhook must be an http(s) URL with a path")
            throw ExitCode(2)
        }
        let alertKind = OperatorAlert.Kind(rawValue: kind) ?? .processFailed
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let marker = stateDir.map { directory in
            "\(directory)/\(alertKind.rawValue)-\(SHA256.hash(data: Data(subject.utf8)).map { String(format: "%02x", $0) }.joined().prefix(16)).last"
        }
        if let marker, let text = try? String(contentsOfFile: marker, encoding: .utf8), let last = Int64(text),
           now - last < Int64(repeatAfter) * 1_000 {
            ConsoleOutput.error("polypipe alert: \(alertKind.rawValue) \(subject) was sent \((now - last) / 1_000) s ago; suppressed as a repeat")
            return
        }
        let text = message ?? "\(subject): \(alertKind.rawValue.replacingOccurrences(of: "_", with: " "))"
        sink.start()
        defer { sink.stop() }
        sink.send(alert: OperatorAlert(kind: alertKind, subject: subject, message: text, atMillis: now))
        let deadline = Date().addingTimeInterval(20)
        while sink.counts.delivered + sink.counts.failed == 0, Date() < deadline { usleep(20_000) }
        guard sink.counts.delivered == 1 else {
            ConsoleOutput.error("polypipe alert: the webhook did not take the alert")
            throw ExitCode(1)
        }
        if let marker {
            try? FileManager.default.createDirectory(atPath: (marker as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try? String(now).write(toFile: marker, atomically: true, encoding: .utf8)
        }
        print("alert sent: \(alertKind.rawValue) \(subject)")
    }
}
