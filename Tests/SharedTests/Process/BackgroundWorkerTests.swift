import Foundation
import Synchronization
import Testing
import PolypipeRuntime

/// The one background-thread type: a stop wakes a sleeping or waiting body at once, join waits
/// for the body, stop is idempotent, and a worker stopped before it starts never runs.
@Suite struct BackgroundWorkerTests {
    /// Polls `condition` for up to `seconds`.
    static func eventually(_ seconds: Double = 5, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while !condition() {
            if Date() >= deadline { return false }
            usleep(1_000)
        }
        return true
    }

    @Test func stopWakesASleepingBodyAtOnce() {
        let sleeping = Atomic<Bool>(false)
        let sleepResult = Atomic<Int>(-1)
        let worker = BackgroundWorker(name: "test-sleeper") { worker in
            sleeping.store(true, ordering: .relaxed)
            sleepResult.store(worker.sleep(milliseconds: 60_000) ? 1 : 0, ordering: .relaxed)
        }
        worker.start()
        #expect(Self.eventually { sleeping.load(ordering: .relaxed) })
        usleep(20_000)  // let it reach the wait
        let stoppedAt = ContinuousClock.now
        worker.stop()
        worker.join()
        #expect(ContinuousClock.now - stoppedAt < .seconds(5), "a 60 s sleep ends at the stop, not at its deadline")
        #expect(sleepResult.load(ordering: .relaxed) == 0, "sleep reports the stop")
        #expect(worker.isFinished)
    }

    @Test func joinReturnsOnlyAfterTheBodyHasReturned() {
        let steps = Atomic<Int>(0)
        let worker = BackgroundWorker(name: "test-joiner") { worker in
            while !worker.isStopRequested {
                steps.add(1, ordering: .relaxed)
                worker.sleep(milliseconds: 5)
            }
            usleep(200_000)  // slow cleanup after the stop
            steps.store(-1, ordering: .relaxed)
        }
        worker.start()
        #expect(Self.eventually { steps.load(ordering: .relaxed) >= 3 })
        worker.stop()
        worker.join()
        #expect(steps.load(ordering: .relaxed) == -1, "join waited for the cleanup after the loop")
        #expect(worker.isFinished)
    }

    @Test func stopIsIdempotentAndJoinCanBeRepeated() {
        let runs = Atomic<Int>(0)
        let worker = BackgroundWorker(name: "test-idem") { worker in
            runs.add(1, ordering: .relaxed)
            while worker.sleep(milliseconds: 10) {}
        }
        worker.start()
        worker.stop()
        worker.stop()
        worker.join()
        worker.stopAndJoin()
        worker.join()
        #expect(runs.load(ordering: .relaxed) == 1, "the body ran once")
        #expect(worker.isStopRequested && worker.isFinished)
    }

    @Test func aWorkerStoppedBeforeItStartsNeverRunsItsBody() {
        let ran = Atomic<Bool>(false)
        let worker = BackgroundWorker(name: "test-never") { _ in ran.store(true, ordering: .relaxed) }
        worker.join()  // never started: returns at once
        worker.stop()
        worker.start()
        worker.join()
        usleep(20_000)
        #expect(ran.load(ordering: .relaxed) == false)
        #expect(worker.isFinished)
    }

    @Test func wakesAreCountedAndEndAWaitButNotASleep() {
        let handled = Atomic<Int>(0)
        let worker = BackgroundWorker(name: "test-waker") { worker in
            while worker.waitForWork() { handled.add(1, ordering: .relaxed) }
        }
        // Three wakes before the body even waits: none is lost.
        worker.wake()
        worker.wake()
        worker.wake()
        worker.start()
        #expect(Self.eventually { handled.load(ordering: .relaxed) == 3 })
        usleep(50_000)
        #expect(handled.load(ordering: .relaxed) == 3, "one pass per wake, no spurious passes")
        worker.stopAndJoin()

        let slept = Atomic<Bool>(false)
        let sleeper = BackgroundWorker(name: "test-nowake") { worker in
            _ = worker.sleep(milliseconds: 300)
            slept.store(true, ordering: .relaxed)
        }
        sleeper.start()
        usleep(20_000)
        sleeper.wake()
        usleep(100_000)
        #expect(slept.load(ordering: .relaxed) == false, "a wake does not cut a fixed-interval sleep short")
        sleeper.stopAndJoin()
        #expect(slept.load(ordering: .relaxed) == true)
    }

    @Test func waitForWorkTimesOut() {
        let results = Mutex<[Bool]>([])
        let worker = BackgroundWorker(name: "test-timeout") { worker in
            let result = worker.waitForWork(timeoutMilliseconds: 30)
            results.withLock { $0.append(result) }
        }
        worker.start()
        #expect(Self.eventually { worker.isFinished })
        worker.join()
        #expect(results.withLock { $0 } == [true], "a timeout is no stop")
    }

    @Test func theThreadCarriesTheWorkersName() {
        let name = Mutex<String?>(nil)
        // The kernel's name for the thread (what ps -L and debuggers show).
        let worker = BackgroundWorker(name: "test-named") { _ in
            let comm = try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)
            name.withLock { $0 = comm?.trimmingCharacters(in: .newlines) }
        }
        worker.start()
        worker.join()
        #expect(name.withLock { $0 } == "test-named")
    }
}
