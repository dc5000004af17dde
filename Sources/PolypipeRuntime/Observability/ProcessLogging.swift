import Logging

/// How each polypipe process sets up swift-log: under systemd (stderr is the journal stream)
/// one native journal entry per event with metadata as fields (``JournalLogHandler``);
/// elsewhere one line per event on stderr.
public enum ProcessLogging {
    /// Call once at start. - Parameter identifier: the process name (`SYSLOG_IDENTIFIER`).
    public static func bootstrap(identifier: String, level: Logger.Level = .info,
                                 environment: [String: String] = SystemdNotifier.processEnvironment()) {
        if JournalSocket.stderrIsJournal(environment: environment) {
            let socket = JournalSocket()
            LoggingSystem.bootstrap { label in
                var handler = JournalLogHandler(label: label, identifier: identifier, socket: socket)
                handler.logLevel = level
                return handler
            }
        } else {
            LoggingSystem.bootstrap { label in
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            }
        }
    }
}
