#if canImport(Glibc)
import Glibc
#endif

/// The bus's notion of time: unix nanoseconds from the realtime clock (comparable across
/// processes on one host, which is what tick-to-wire latency needs).
public enum BusClock {
    public static func nowNanos() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
    }

    public static func nowMillis() -> Int64 { Int64(nowNanos() / 1_000_000) }
}
