import Foundation
import PolypipeCore

/// An L2 API credential with the wallet address it belongs to, as a small JSON file — how
/// fill-proc and recon-proc get venue access without ever seeing the private key:
///
/// ```json
/// {"address": "0xf39F…", "apiKey": "…", "secret": "…", "passphrase": "…", "simulator_only": true}
/// ```
///
/// `simulator_only` says the key was minted by a paper-mode exec-proc on a simulator: a reader
/// then sends requests only over connections that prove they lead to a simulator
/// (``CurlTransport/ConnectionPolicy/provenSimulatorOnly``), so a paper configuration cannot
/// point fill-proc or recon-proc at the real venue either. A file without it counts as
/// simulator-only (the safe reading); exec-proc rewrites such a file in dry-run and live.
///
/// Under systemd the operator provides it as the unit's credential (a read-only key made once
/// with `polypipe auth`); in the local stack exec-proc mints a read-only key at startup and
/// writes it with `--readonly-credentials-out`. The file must be owned by the reading user and
/// closed to others (mode 0600 or 0640): it is refused otherwise, like an ssh key.
public struct VenueCredentialsFile: Sendable {
    public let address: EthereumAddress
    public let credentials: ApiCredentials
    /// Minted on a simulator in paper mode: requests go only to proven simulators.
    public let simulatorOnly: Bool

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    public init(address: EthereumAddress, credentials: ApiCredentials, simulatorOnly: Bool) {
        self.address = address
        self.credentials = credentials
        self.simulatorOnly = simulatorOnly
    }

    /// Reads and checks `path`. - Throws: ``Failure`` naming the path and what is wrong (never
    /// the secret).
    public init(path: String) throws(Failure) {
        var info = stat()
        guard stat(path, &info) == 0 else { throw Failure(description: "venue credentials \(path): cannot read it (errno \(errno))") }
        guard info.st_uid == geteuid() else {
            throw Failure(description: "venue credentials \(path): owned by uid \(info.st_uid), not by this user (\(geteuid()))")
        }
        guard info.st_mode & 0o007 == 0, info.st_mode & 0o020 == 0 else {
            throw Failure(description: "venue credentials \(path): mode \(String(info.st_mode & 0o777, radix: 8)) lets others read or change it (use 0600 or 0640)")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Failure(description: "venue credentials \(path): cannot read it")
        }
        let json: JSONValue
        do { json = try JSONParser.parse(Array(data)) } catch {
            throw Failure(description: "venue credentials \(path): not JSON (\(error))")
        }
        guard let addressText = json["address"]?.scalarText else {
            throw Failure(description: "venue credentials \(path): missing \"address\"")
        }
        do { address = try EthereumAddress(addressText) } catch {
            throw Failure(description: "venue credentials \(path): \"address\" is not an address")
        }
        do { credentials = try ApiCredentials(json: json) } catch {
            throw Failure(description: "venue credentials \(path): \(error)")
        }
        switch json["simulator_only"] {
        case nil: simulatorOnly = true
        case .bool(let value)?: simulatorOnly = value
        default: throw Failure(description: "venue credentials \(path): \"simulator_only\" must be true or false")
        }
    }

    /// How this credential's readers connect: paper credentials only to proven simulators.
    public var connectionPolicy: CurlTransport.ConnectionPolicy { simulatorOnly ? .provenSimulatorOnly : .any }

    /// Where a reader looks when not told: the systemd credential `venue-readonly`, else the
    /// file exec-proc writes in the local stack's runtime directory.
    public static func defaultPath(runtimeDirectory: String, environment: [String: String]) -> String {
        environment["CREDENTIALS_DIRECTORY"].map { $0 + "/venue-readonly" } ?? localStackPath(runtimeDirectory: runtimeDirectory)
    }

    /// The file `polypipe up` has exec-proc write (`--readonly-credentials-out`).
    public static func localStackPath(runtimeDirectory: String) -> String { runtimeDirectory + "/readonly-credentials.json" }

    /// Reads `path`, waiting up to `millis` for it to appear (exec-proc writes it at startup in
    /// the local stack). A file that exists but is wrong fails at once.
    public static func waitFor(path: String, millis: Int64, pollMillis: UInt32 = 100) throws(Failure) -> VenueCredentialsFile {
        var waited: Int64 = 0
        while true {
            do { return try VenueCredentialsFile(path: path) } catch {
                if FileManager.default.fileExists(atPath: path) || waited >= millis { throw error }
                usleep(pollMillis * 1_000)
                waited += Int64(pollMillis)
            }
        }
    }

    /// A venue client that signs its private calls (L2) with this credential; for a
    /// simulator-only credential every connection proves it leads to a simulator first.
    /// - Throws: what ``L2Signer`` or ``CurlTransport`` cannot accept (a production host, for a
    ///   simulator-only credential).
    public func client(venueURL: String, chain: Chain, totalTimeoutMillis: Int) throws -> ClobClient {
        let timeouts = CurlTransport.Timeouts(connectMilliseconds: 1_000, totalMilliseconds: totalTimeoutMillis)
        let transport = try CurlTransport(baseURL: venueURL, timeouts: timeouts, policy: connectionPolicy)
        try transport.proveSimulator()  // simulator-only: a clear refusal now rather than failed reads later
        return ClobClient(transport: transport, chain: chain,
                          l2: try L2Signer(credentials: credentials, address: address))
    }

    /// Writes the file atomically with `mode` (default 0640: the owner and its group, the
    /// intended readers).
    public func write(to path: String, mode: mode_t = 0o640) throws(Failure) {
        let text = JSONWriter.serialize(.object([
            ("address", .string(address.checksummed)), ("apiKey", .string(credentials.apiKey)),
            ("secret", .string(credentials.secret)), ("passphrase", .string(credentials.passphrase)),
            ("simulator_only", .bool(simulatorOnly)),
        ]))
        let temporary = path + ".tmp-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else { throw Failure(description: "venue credentials \(path): cannot create (errno \(errno))") }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        _ = fchmod(fd, mode)  // the umask may have narrowed it
        close(fd)
        guard written == bytes.count, rename(temporary, path) == 0 else {
            unlink(temporary)
            throw Failure(description: "venue credentials \(path): cannot write")
        }
    }
}
