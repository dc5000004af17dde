/// Where an installed polypipe keeps its pieces (see `scripts/install`), under `root` (`/` on a
/// host; another directory for a staged install or a test).
struct Deployment: Sendable {
    var root: String = "/"

    static let services = ["exec", "signal", "fill", "recon"]
    static let binaries = ["exec-proc", "signal-proc", "fill-proc", "recon-proc", "polypipe"]

    func path(_ relative: String) -> String { (root.hasSuffix("/") ? root : root + "/") + relative }

    var unitDirectory: String { path("etc/systemd/system") }
    var unitFiles: [String] { Self.services.map { "polypipe-\($0).service" } + ["polypipe.target"] }
    var binaryDirectory: String { path("opt/polypipe/bin") }
    var settingsFile: String { path("etc/polypipe/polypipe.env") }
    /// The encrypted key (`LoadCredentialEncrypted=polymarket-key:…` in polypipe-exec.service).
    var keyCredential: String { path("etc/credstore.encrypted/polymarket-key") }
    /// The read-only venue credential exec-proc mints for fill-proc and recon-proc.
    var readOnlyCredential: String { path("var/lib/polypipe/exec/venue-readonly.json") }
    var runtimeDirectory: String { path("run/polypipe") }
}
