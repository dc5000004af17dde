import Testing
import Execution

/// ``KillSwitch``, the pure bookkeeping: a halt owes a cancel-all due at once, a failure makes
/// the next one due ``KillSwitch/retryMillis`` later, success or leaving the halted state ends
/// the debt, and a disabled switch never owes anything.
@Suite struct KillSwitchTests {
    @Test func aHaltOwesACancelAllDueAtOnceAndRetriedAfterAFailure() {
        var kill = KillSwitch(enabled: true)
        #expect(kill.due(nowMillis: 0) == nil, "nothing owed before a halt")
        kill.halted(reason: "operator")
        #expect(kill.due(nowMillis: 0) == "operator")
        kill.failed(nowMillis: 10)
        #expect(kill.failedAttempts == 1)
        #expect(kill.due(nowMillis: 10 + KillSwitch.retryMillis - 1) == nil, "not before the retry interval")
        #expect(kill.due(nowMillis: 10 + KillSwitch.retryMillis) == "operator")
        kill.halted(reason: "flood")
        #expect(kill.due(nowMillis: 11) == "flood", "a second halt is due at once, with its reason")
        kill.succeeded()
        #expect(kill.owed == nil && kill.failedAttempts == 0 && kill.due(nowMillis: 1_000_000) == nil)
    }

    @Test func leavingTheHaltedStateEndsTheDebt() {
        var kill = KillSwitch(enabled: true)
        kill.halted(reason: "operator")
        kill.failed(nowMillis: 0)
        kill.left()
        #expect(kill.owed == nil && kill.due(nowMillis: KillSwitch.retryMillis) == nil)
        kill.failed(nowMillis: 0)
        #expect(kill.failedAttempts == 0, "a failure with nothing owed counts nothing")
    }

    @Test func aDisabledSwitchNeverOwes() {
        var kill = KillSwitch(enabled: false)
        kill.halted(reason: "operator")
        #expect(kill.owed == nil && kill.due(nowMillis: 0) == nil)
    }
}
