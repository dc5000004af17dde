import Logging
import Synchronization
import Testing
import PolypipeRuntime

/// The runtime's ordered shutdown: phases run in ``ShutdownPhase`` order whatever the order they
/// were given in, each once, and a phase that throws does not keep the later ones from running.
@Suite struct ProcessRuntimeTests {
    struct PhaseFailed: Error {}

    @Test func phasesRunInTheTypesOrderEachOnceEvenWhenOneThrows() {
        let runtime = ManualStop().runtime()
        var ran: [ShutdownPhase] = []
        let failures = runtime.shutdown([
            .flush: { ran.append(.flush) },
            .cancel: { ran.append(.cancel); throw PhaseFailed() },
            .stopIntake: { ran.append(.stopIntake) },
            .stopHeartbeats: { ran.append(.stopHeartbeats) },
            .drainInFlight: { ran.append(.drainInFlight) },
        ])
        #expect(ran == [.stopIntake, .drainInFlight, .cancel, .stopHeartbeats, .flush])
        #expect(Array(failures.keys) == [.cancel], "the failure is reported, and only it")
    }

    @Test func missingPhasesAreSkipped() {
        let runtime = ManualStop().runtime()
        var ran: [ShutdownPhase] = []
        runtime.shutdown([.flush: { ran.append(.flush) }, .stopIntake: { ran.append(.stopIntake) }])
        #expect(ran == [.stopIntake, .flush])
    }

    @Test func aSecondShutdownRunsNothing() {
        let runtime = ManualStop().runtime()
        var runs = 0
        runtime.shutdown([.flush: { runs += 1 }])
        let failures = runtime.shutdown([.flush: { runs += 1 }, .cancel: { throw PhaseFailed() }])
        #expect(runs == 1)
        #expect(failures.isEmpty)
    }

    @Test func theDocumentedOrderIsTheDeclaredOrder() {
        #expect(ShutdownPhase.allCases == [.stopIntake, .drainInFlight, .cancel, .stopHeartbeats, .flush])
        #expect(ShutdownPhase.allCases.map(\.description) == ["stop intake", "drain in-flight", "cancel", "stop heartbeats", "flush"])
    }

    @Test func readyWritesTheReadyLineOnce() {
        let stop = ManualStop()
        stop.runtime().ready()
        #expect(stop.readyCount == 1)
    }

    @Test func asyncWorkIsCancelledWhenTheStopIsRequested() async throws {
        let stop = ManualStop()
        let runtime = stop.runtime()
        let work = Task { () throws -> Void in
            while !Task.isCancelled { try? await Task.sleep(for: .milliseconds(10)) }
        }
        let stopper = Task {
            try? await Task.sleep(for: .milliseconds(50))
            stop.request()
        }
        try await runtime.run(until: work)
        #expect(work.isCancelled, "the stop cancelled the work")
        await stopper.value
    }
}
