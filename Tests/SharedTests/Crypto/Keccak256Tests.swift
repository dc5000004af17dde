import Testing
import PolypipeCore

@Suite struct Keccak256Tests {
    private func hex(_ bytes: [UInt8]) -> String { Hex.encode(bytes) }

    @Test func emptyInput() {
        #expect(hex(Keccak256.hash([UInt8]())) == "0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470")
    }

    @Test func abc() {
        #expect(hex(Keccak256.hash(utf8: "abc")) == "0x4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45")
    }

    @Test func isKeccakNotSHA3() {
        // FIPS-202 SHA3-256("") differs only by the padding byte; it must not come out.
        #expect(hex(Keccak256.hash([UInt8]())) != "0xa7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a")
    }

    @Test func incrementalUpdatesEqualOneShot() {
        let input = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        let expected = Keccak256.hash(input)
        for split in [0, 1, 135, 136, 137, 271, 272, 500, 999, 1000] {
            var hasher = Keccak256()
            hasher.update(input[..<split])
            hasher.update(input[split...])
            #expect(hasher.finalize() == expected, "split at \(split)")
        }
        var bytewise = Keccak256()
        for byte in input { bytewise.update([byte]) }
        #expect(bytewise.finalize() == expected)
    }

    @Test func oneMebibyte() {
        let input = [UInt8](repeating: 0x61, count: 1 << 20)
        let expected = Vectors.cases("keccak256").first { $0.id == "keccak-1MiB-of-0x61" }?.expected.text("keccak256")
        #expect(expected != nil && !expected!.isEmpty)
        #expect(hex(Keccak256.hash(input)) == expected)
    }

    @Test(arguments: Vectors.cases("keccak256"))
    func officialVector(_ vector: VectorCase) throws {
        let input: [UInt8]
        if let text = vector.inputs["hex"]?.scalarText {
            input = try Hex.decode(text)
        } else if let text = vector.inputs["utf8"]?.scalarText {
            input = Array(text.utf8)
        } else {
            let byte = try Hex.decode(vector.inputs.text("repeat.byte"))[0]
            input = [UInt8](repeating: byte, count: Int(vector.inputs.text("repeat.count")) ?? -1)
        }
        #expect(String(input.count) == vector.inputs.text("length"))
        #expect(hex(Keccak256.hash(input)) == vector.expected.text("keccak256"))
        #expect(hex(Keccak256.hash(input)) != vector.expected.text("sha3_256_fips202_for_contrast"))
    }
}
