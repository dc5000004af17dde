import Foundation
import Testing
import PolypipeCore

@Suite(.serialized) struct KeyLoaderTests {
    static let hardhat0 = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"

    func keyFile(_ contents: String, mode: Int) throws -> (directory: URL, path: String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("polypipe-cred-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent(KeyLoader.credentialName).path
        try Data(contents.utf8).write(to: URL(fileURLWithPath: path))
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
        return (directory, path)
    }

    @Test func aPrivateCredentialFileLoads() throws {
        let (directory, path) = try keyFile(Self.hardhat0 + "\n", mode: 0o600)
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(try KeyLoader.load(file: path).address.checksummed == "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266")
    }

    @Test func aFileOthersCanReadIsRefused() throws {
        let (directory, path) = try keyFile(Self.hardhat0, mode: 0o644)
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(throws: KeyLoader.Failure.tooOpen(path: path, mode: 0o644)) { try KeyLoader.load(file: path) }
    }

    @Test func aMalformedFileIsExplainedWithoutItsContents() throws {
        let (directory, path) = try keyFile("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ffZZ", mode: 0o600)
        defer { try? FileManager.default.removeItem(at: directory) }
        do {
            _ = try KeyLoader.load(file: path)
            Issue.record("a malformed key loaded")
        } catch {
            let echoed = error.description.contains("ac0974bec39a17e3")
            #expect(!echoed, "the error echoed the key")
            #expect(error.description.contains("not hex digits"))
        }
    }

    @Test func theCredentialDirectoryWinsOverTheEnvironment() throws {
        let (directory, _) = try keyFile(Self.hardhat0, mode: 0o600)
        defer { try? FileManager.default.removeItem(at: directory) }
        setenv("CREDENTIALS_DIRECTORY", directory.path, 1)
        setenv("POLYMARKET_KEY", "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d", 1)
        defer { unsetenv("CREDENTIALS_DIRECTORY"); unsetenv("POLYMARKET_KEY") }
        #expect(try KeyLoader.load().address.checksummed == "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266")
        unsetenv("CREDENTIALS_DIRECTORY")
        #expect(try KeyLoader.load().address.checksummed == "0x70997970C51812dc3A010C7d01b50e0d17dc79C8")
        #expect(getenv("POLYMARKET_KEY") == nil, "taken from the environment")
        #expect(throws: KeyLoader.Failure.noKey) { try KeyLoader.load() }
    }

    @Test func hardeningMakesTheProcessNonDumpable() {
        #expect(KeyLoader.hardenProcess())
        #expect(KeyLoader.isNonDumpable)
    }
}
