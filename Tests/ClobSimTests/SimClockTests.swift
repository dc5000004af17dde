import Foundation
import Testing
@testable import clob_sim

/// The replay clock's hold: it stands still while held, runs on from where it stood when
/// released, and never goes backwards.
@Suite struct SimClockTests {
    @Test func aHeldClockStandsStillAndRunsOnFromThere() throws {
        let clock = SimClock(scale: 10, startMillis: 1_000_000)
        clock.hold()
        let held = clock.nowMillis()
        #expect(held >= 1_000_000 && held < 1_000_000 + 500)
        usleep(60_000)
        #expect(clock.nowMillis() == held && clock.isHeld)
        clock.release()
        usleep(60_000)
        let after = clock.nowMillis()
        // 60 ms at 10x is about 600 sim ms from the held instant, not from the start.
        #expect(after >= held + 500 && after < held + 3_000, "\(after - held)")
        clock.hold()
        #expect(clock.nowMillis() >= after, "never backwards")
    }

    @Test func aReplayStartsOnceAndReportsItsProgress() throws {
        let clock = SimClock(startMillis: 5_000)
        let control = ReplayControl(clock: clock, total: 3, held: true)
        #expect(clock.isHeld && clock.nowMillis() == 5_000)
        control.applied()
        #expect(control.snapshot == .init(total: 3, applied: 1, held: true, finished: false))
        #expect(control.start() && !clock.isHeld)
        #expect(!control.start(), "a second start finds nothing held")
        control.finished()
        #expect(control.snapshot.finished && !control.snapshot.held)
    }
}
