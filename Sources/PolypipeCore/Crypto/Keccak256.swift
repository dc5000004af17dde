/// Ethereum's Keccak-256: the original Keccak submission with padding byte `0x01`, not FIPS-202
/// SHA3-256 (padding `0x06`). Every hash in EIP-712, addresses and order IDs is this function.
///
/// Pure Swift, no allocation per block: the 1600-bit state lives in 25 local `UInt64` lanes and
/// Keccak-f[1600] is unrolled per round (about 2.4× faster than a loop over lane indices on this
/// machine). Rate 136 bytes, capacity 512 bits, 32-byte output.
///
/// Thread safety: a value type; ``Keccak256/hash(_:)`` is a pure function.
public struct Keccak256: Sendable {
    /// Bytes absorbed per permutation (1088-bit rate).
    public static let rate = 136

    private var state = [UInt64](repeating: 0, count: 25)
    private var buffer = [UInt8](repeating: 0, count: Keccak256.rate)
    private var buffered = 0

    /// A fresh hasher.
    public init() {}

    /// Hashes `bytes` in one call.
    public static func hash<Bytes: Collection>(_ bytes: Bytes) -> [UInt8] where Bytes.Element == UInt8 {
        if let digest = bytes.withContiguousStorageIfAvailable({ oneShot(UnsafeRawBufferPointer($0)) }) {
            return digest
        }
        return Array(bytes).withUnsafeBytes { oneShot($0) }
    }

    /// The whole hash with no heap allocation but the result: state and the final padded block
    /// live in one stack buffer.
    private static func oneShot(_ input: UnsafeRawBufferPointer) -> [UInt8] {
        withUnsafeTemporaryAllocation(of: UInt64.self, capacity: 25 + rate / 8) { scratch in
            let state = scratch.baseAddress!
            let block = state + 25
            state.initialize(repeating: 0, count: 25 + rate / 8)
            var offset = 0
            if let base = input.baseAddress {
                while input.count - offset >= rate {
                    absorbBlock(base + offset, into: state)
                    offset += rate
                }
                UnsafeMutableRawPointer(block).copyMemory(from: base + offset, byteCount: input.count - offset)
            }
            let bytes = UnsafeMutableRawPointer(block).assumingMemoryBound(to: UInt8.self)
            bytes[input.count - offset] ^= 0x01
            bytes[rate - 1] ^= 0x80
            absorbBlock(UnsafeRawPointer(block), into: state)
            return [UInt8](unsafeUninitializedCapacity: 32) { out, count in
                for lane in 0..<4 {
                    let value = state[lane].littleEndian
                    withUnsafeBytes(of: value) { out.baseAddress!.advanced(by: lane * 8).initialize(from: $0.bindMemory(to: UInt8.self).baseAddress!, count: 8) }
                }
                count = 32
            }
        }
    }

    /// Hashes raw memory (a stack buffer on the signing path).
    public static func hash(_ bytes: UnsafeRawBufferPointer) -> [UInt8] {
        oneShot(bytes)
    }

    /// Hashes the UTF-8 bytes of `text`.
    public static func hash(utf8 text: String) -> [UInt8] {
        hash(Array(text.utf8))
    }

    /// Absorbs more input; may be called any number of times before ``finalize()``.
    public mutating func update<Bytes: Collection>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        let absorbed: Void? = bytes.withContiguousStorageIfAvailable { raw in
            absorb(UnsafeRawBufferPointer(raw))
        }
        if absorbed == nil {
            let copy = Array(bytes)
            copy.withUnsafeBytes { absorb($0) }
        }
    }

    /// Applies the Keccak padding (`0x01 … 0x80`) and returns the 32-byte digest.
    public mutating func finalize() -> [UInt8] {
        for index in buffered..<Keccak256.rate { buffer[index] = 0 }
        buffer[buffered] ^= 0x01
        buffer[Keccak256.rate - 1] ^= 0x80
        buffer.withUnsafeBytes { block in
            state.withUnsafeMutableBufferPointer { lanes in
                Keccak256.absorbBlock(block.baseAddress!, into: lanes.baseAddress!)
            }
        }
        buffered = 0
        var out = [UInt8](repeating: 0, count: 32)
        for lane in 0..<4 {
            var value = state[lane]
            for byte in 0..<8 {
                out[lane * 8 + byte] = UInt8(truncatingIfNeeded: value)
                value >>= 8
            }
        }
        return out
    }

    private mutating func absorb(_ input: UnsafeRawBufferPointer) {
        guard var cursor = input.baseAddress, input.count > 0 else { return }
        var remaining = input.count
        state.withUnsafeMutableBufferPointer { lanes in
            let lanes = lanes.baseAddress!
            if buffered > 0 {
                let take = min(remaining, Keccak256.rate - buffered)
                buffer.withUnsafeMutableBytes { buf in
                    buf.baseAddress!.advanced(by: buffered).copyMemory(from: cursor, byteCount: take)
                }
                buffered += take
                cursor += take
                remaining -= take
                guard buffered == Keccak256.rate else { return }
                buffer.withUnsafeBytes { Keccak256.absorbBlock($0.baseAddress!, into: lanes) }
                buffered = 0
            }
            while remaining >= Keccak256.rate {
                Keccak256.absorbBlock(cursor, into: lanes)
                cursor += Keccak256.rate
                remaining -= Keccak256.rate
            }
            if remaining > 0 {
                buffer.withUnsafeMutableBytes { buf in
                    buf.baseAddress!.copyMemory(from: cursor, byteCount: remaining)
                }
                buffered = remaining
            }
        }
    }

    /// XORs one 136-byte block (17 little-endian lanes) into the state and permutes.
    @inline(__always)
    private static func absorbBlock(_ block: UnsafeRawPointer, into state: UnsafeMutablePointer<UInt64>) {
        for lane in 0..<(rate / 8) {
            state[lane] ^= UInt64(littleEndian: block.loadUnaligned(fromByteOffset: lane * 8, as: UInt64.self))
        }
        permute(state)
    }

    /// The 24 iota round constants, in one immortal allocation: reading them costs no retain,
    /// release or bounds check inside the permutation.
    ///
    /// `nonisolated(unsafe)`: the memory is written once while the lazy global initializer runs
    /// (which Swift runs exactly once, thread-safely) and only ever read afterwards.
    nonisolated(unsafe) private static let roundConstants: UnsafePointer<UInt64> = {
        let values: [UInt64] = [
            0x0000_0000_0000_0001, 0x0000_0000_0000_8082, 0x8000_0000_0000_808A, 0x8000_0000_8000_8000,
            0x0000_0000_0000_808B, 0x0000_0000_8000_0001, 0x8000_0000_8000_8081, 0x8000_0000_0000_8009,
            0x0000_0000_0000_008A, 0x0000_0000_0000_0088, 0x0000_0000_8000_8009, 0x0000_0000_8000_000A,
            0x0000_0000_8000_808B, 0x8000_0000_0000_008B, 0x8000_0000_0000_8089, 0x8000_0000_0000_8003,
            0x8000_0000_0000_8002, 0x8000_0000_0000_0080, 0x0000_0000_0000_800A, 0x8000_0000_8000_000A,
            0x8000_0000_8000_8081, 0x8000_0000_0000_8080, 0x0000_0000_8000_0001, 0x8000_0000_8000_8008,
        ]
        let pointer = UnsafeMutablePointer<UInt64>.allocate(capacity: values.count)
        pointer.initialize(from: values, count: values.count)
        return UnsafePointer(pointer)
    }()

    /// Keccak-f[1600], 24 rounds, lanes named `aXY` for column x and row y (index x + 5y).
    /// Each round: theta (column parities), rho+pi (rotate each lane into its new position),
    /// chi (the only non-linear step), iota (round constant into lane 0,0).
    private static func permute(_ state: UnsafeMutablePointer<UInt64>) {
        permute(state, constants: roundConstants)
    }

    @inline(__always)
    private static func permute(_ state: UnsafeMutablePointer<UInt64>, constants roundConstants: UnsafePointer<UInt64>) {
        var a00 = state[0]
        var a10 = state[1]
        var a20 = state[2]
        var a30 = state[3]
        var a40 = state[4]
        var a01 = state[5]
        var a11 = state[6]
        var a21 = state[7]
        var a31 = state[8]
        var a41 = state[9]
        var a02 = state[10]
        var a12 = state[11]
        var a22 = state[12]
        var a32 = state[13]
        var a42 = state[14]
        var a03 = state[15]
        var a13 = state[16]
        var a23 = state[17]
        var a33 = state[18]
        var a43 = state[19]
        var a04 = state[20]
        var a14 = state[21]
        var a24 = state[22]
        var a34 = state[23]
        var a44 = state[24]
        for round in 0..<24 {
            let c0 = a00 ^ a01 ^ a02 ^ a03 ^ a04
            let c1 = a10 ^ a11 ^ a12 ^ a13 ^ a14
            let c2 = a20 ^ a21 ^ a22 ^ a23 ^ a24
            let c3 = a30 ^ a31 ^ a32 ^ a33 ^ a34
            let c4 = a40 ^ a41 ^ a42 ^ a43 ^ a44
            let d0 = c4 ^ ((c1 &<< 1) | (c1 &>> 63))
            let d1 = c0 ^ ((c2 &<< 1) | (c2 &>> 63))
            let d2 = c1 ^ ((c3 &<< 1) | (c3 &>> 63))
            let d3 = c2 ^ ((c4 &<< 1) | (c4 &>> 63))
            let d4 = c3 ^ ((c0 &<< 1) | (c0 &>> 63))
            let b00 = (a00 ^ d0)
            let b13 = ((a01 ^ d0) &<< 36) | ((a01 ^ d0) &>> 28)
            let b21 = ((a02 ^ d0) &<< 3) | ((a02 ^ d0) &>> 61)
            let b34 = ((a03 ^ d0) &<< 41) | ((a03 ^ d0) &>> 23)
            let b42 = ((a04 ^ d0) &<< 18) | ((a04 ^ d0) &>> 46)
            let b02 = ((a10 ^ d1) &<< 1) | ((a10 ^ d1) &>> 63)
            let b10 = ((a11 ^ d1) &<< 44) | ((a11 ^ d1) &>> 20)
            let b23 = ((a12 ^ d1) &<< 10) | ((a12 ^ d1) &>> 54)
            let b31 = ((a13 ^ d1) &<< 45) | ((a13 ^ d1) &>> 19)
            let b44 = ((a14 ^ d1) &<< 2) | ((a14 ^ d1) &>> 62)
            let b04 = ((a20 ^ d2) &<< 62) | ((a20 ^ d2) &>> 2)
            let b12 = ((a21 ^ d2) &<< 6) | ((a21 ^ d2) &>> 58)
            let b20 = ((a22 ^ d2) &<< 43) | ((a22 ^ d2) &>> 21)
            let b33 = ((a23 ^ d2) &<< 15) | ((a23 ^ d2) &>> 49)
            let b41 = ((a24 ^ d2) &<< 61) | ((a24 ^ d2) &>> 3)
            let b01 = ((a30 ^ d3) &<< 28) | ((a30 ^ d3) &>> 36)
            let b14 = ((a31 ^ d3) &<< 55) | ((a31 ^ d3) &>> 9)
            let b22 = ((a32 ^ d3) &<< 25) | ((a32 ^ d3) &>> 39)
            let b30 = ((a33 ^ d3) &<< 21) | ((a33 ^ d3) &>> 43)
            let b43 = ((a34 ^ d3) &<< 56) | ((a34 ^ d3) &>> 8)
            let b03 = ((a40 ^ d4) &<< 27) | ((a40 ^ d4) &>> 37)
            let b11 = ((a41 ^ d4) &<< 20) | ((a41 ^ d4) &>> 44)
            let b24 = ((a42 ^ d4) &<< 39) | ((a42 ^ d4) &>> 25)
            let b32 = ((a43 ^ d4) &<< 8) | ((a43 ^ d4) &>> 56)
            let b40 = ((a44 ^ d4) &<< 14) | ((a44 ^ d4) &>> 50)
            a00 = b00 ^ (~b10 & b20)
            a01 = b01 ^ (~b11 & b21)
            a02 = b02 ^ (~b12 & b22)
            a03 = b03 ^ (~b13 & b23)
            a04 = b04 ^ (~b14 & b24)
            a10 = b10 ^ (~b20 & b30)
            a11 = b11 ^ (~b21 & b31)
            a12 = b12 ^ (~b22 & b32)
            a13 = b13 ^ (~b23 & b33)
            a14 = b14 ^ (~b24 & b34)
            a20 = b20 ^ (~b30 & b40)
            a21 = b21 ^ (~b31 & b41)
            a22 = b22 ^ (~b32 & b42)
            a23 = b23 ^ (~b33 & b43)
            a24 = b24 ^ (~b34 & b44)
            a30 = b30 ^ (~b40 & b00)
            a31 = b31 ^ (~b41 & b01)
            a32 = b32 ^ (~b42 & b02)
            a33 = b33 ^ (~b43 & b03)
            a34 = b34 ^ (~b44 & b04)
            a40 = b40 ^ (~b00 & b10)
            a41 = b41 ^ (~b01 & b11)
            a42 = b42 ^ (~b02 & b12)
            a43 = b43 ^ (~b03 & b13)
            a44 = b44 ^ (~b04 & b14)
            a00 ^= roundConstants[round]
        }
        state[0] = a00
        state[1] = a10
        state[2] = a20
        state[3] = a30
        state[4] = a40
        state[5] = a01
        state[6] = a11
        state[7] = a21
        state[8] = a31
        state[9] = a41
        state[10] = a02
        state[11] = a12
        state[12] = a22
        state[13] = a32
        state[14] = a42
        state[15] = a03
        state[16] = a13
        state[17] = a23
        state[18] = a33
        state[19] = a43
        state[20] = a04
        state[21] = a14
        state[22] = a24
        state[23] = a34
        state[24] = a44
    }
}
