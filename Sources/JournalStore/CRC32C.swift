/// CRC-32C (Castagnoli, the checksum of iSCSI, ext4 metadata and LevelDB's log), used to tell
/// a whole journal-log frame from a torn or damaged one.
///
/// A checksum, not a signature: it detects accidental damage (a write cut short by `kill -9`,
/// a zeroed page after a power loss), not tampering. Table-driven, one byte per step: about
/// 1 µs for a 1 KB order record, small beside the `write(2)` it protects.
enum CRC32C {
    /// The reflected polynomial 0x1EDC6F41.
    private static let polynomial: UInt32 = 0x82F6_3B78

    private static let table: [UInt32] = (0..<256).map { index -> UInt32 in
        var crc = UInt32(index)
        for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ polynomial : crc >> 1 }
        return crc
    }

    /// The checksum of `bytes`. `checksum(Array("123456789".utf8)) == 0xE306_9283`.
    static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        table.withUnsafeBufferPointer { table in
            for byte in bytes { crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
        }
        return crc ^ 0xFFFF_FFFF
    }

    static func checksum(_ bytes: [UInt8]) -> UInt32 { bytes.withUnsafeBytes { checksum($0) } }
}
