/// Solidity ABI encoding of the atomic EIP-712 field types: each value becomes one 32-byte word
/// (`abi.encode`), and dynamic `string`/`bytes` values are replaced by their Keccak-256 hash
/// (EIP-712 `encodeData`).
public enum ABIWord {
    /// `uint256`, big-endian.
    public static func uint256(_ value: UInt256) -> [UInt8] { value.bigEndianBytes }

    /// Any unsigned integer type up to 64 bits, left-padded (`uint8`, `uint64`).
    public static func uint(_ value: UInt64) -> [UInt8] {
        var word = [UInt8](repeating: 0, count: 32)
        var rest = value
        for index in stride(from: 31, through: 24, by: -1) {
            word[index] = UInt8(truncatingIfNeeded: rest)
            rest >>= 8
        }
        return word
    }

    /// `address`: 12 zero bytes, then the 20 address bytes.
    public static func address(_ value: EthereumAddress) -> [UInt8] {
        [UInt8](repeating: 0, count: 12) + value.bytes
    }

    /// `bytes32`, as is.
    public static func bytes32(_ value: Bytes32) -> [UInt8] { value.bytes }

    /// `string`: keccak256 of the UTF-8 bytes.
    public static func string(_ value: String) -> [UInt8] { Keccak256.hash(utf8: value) }

    // MARK: Appending in place (no intermediate arrays on the signing path)

    /// Appends a `uint256` word to `buffer`.
    public static func append(_ value: UInt256, to buffer: inout [UInt8]) {
        appendBigEndian(value.words.0, to: &buffer)
        appendBigEndian(value.words.1, to: &buffer)
        appendBigEndian(value.words.2, to: &buffer)
        appendBigEndian(value.words.3, to: &buffer)
    }

    /// Appends a small unsigned integer as one left-padded word.
    public static func append(_ value: UInt64, to buffer: inout [UInt8]) {
        buffer.append(contentsOf: repeatElement(0, count: 24))
        appendBigEndian(value, to: &buffer)
    }

    /// Appends an `address` word.
    public static func append(_ value: EthereumAddress, to buffer: inout [UInt8]) {
        buffer.append(contentsOf: repeatElement(0, count: 12))
        buffer.append(contentsOf: value.bytes)
    }

    /// Appends a `bytes32` word.
    public static func append(_ value: Bytes32, to buffer: inout [UInt8]) {
        buffer.append(contentsOf: value.bytes)
    }

    @inline(__always)
    private static func appendBigEndian(_ limb: UInt64, to buffer: inout [UInt8]) {
        withUnsafeBytes(of: limb.bigEndian) { buffer.append(contentsOf: $0) }
    }

    /// Writes ABI words into a caller-provided buffer of exactly the right size (a stack
    /// buffer on the signing path), left to right.
    public struct Writer {
        private let buffer: UnsafeMutableRawBufferPointer
        private var offset = 0

        public init(_ buffer: UnsafeMutableRawBufferPointer) { self.buffer = buffer }

        /// Copies raw bytes (a 32-byte hash or `bytes32`).
        public mutating func bytes(_ value: [UInt8]) {
            value.withUnsafeBytes { buffer.baseAddress!.advanced(by: offset).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
            offset += value.count
        }

        public mutating func uint256(_ value: UInt256) {
            store(value.words.0); store(value.words.1); store(value.words.2); store(value.words.3)
        }

        public mutating func uint(_ value: UInt64) {
            store(0); store(0); store(0); store(value)
        }

        public mutating func address(_ value: EthereumAddress) {
            buffer.baseAddress!.advanced(by: offset).initializeMemory(as: UInt8.self, repeating: 0, count: 12)
            offset += 12
            bytes(value.bytes)
        }

        @inline(__always)
        private mutating func store(_ limb: UInt64) {
            buffer.storeBytes(of: limb.bigEndian, toByteOffset: offset, as: UInt64.self)
            offset += 8
        }
    }
}
