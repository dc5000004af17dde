import CProcess
import Foundation

/// A named OS thread that runs one loop body until it is asked to stop, and that its owner can
/// wait for: the one way polypipe runs blocking background work (a venue heartbeat, a book
/// refresher, a webhook sender, a socket receive loop).
///
/// ```swift
/// let worker = BackgroundWorker(name: "venue-heartbeat") { worker in
///     while !worker.isStopRequested {
///         beat()
///         worker.sleep(milliseconds: 5_000)   // returns at once on stop()
///     }
/// }
/// worker.start()
/// …
/// worker.stop()   // ask
/// worker.join()   // and wait until the body has returned
/// ```
///
/// Rules:
/// - The body runs once, on its own thread named ``name``; it is the loop. It must check
///   ``isStopRequested`` (or the result of ``sleep(milliseconds:)`` / ``waitForWork(timeoutMilliseconds:)``)
///   at least once per blocking call it makes, and return soon after a stop. Blocking calls
///   inside it must have a bound (a curl timeout, a poll timeout): a stop cannot interrupt them.
/// - ``start()`` starts the thread at most once; a second call is a programming error (trap).
///   A worker stopped before it was started never runs its body.
/// - ``stop()`` may be called any number of times, from any thread, including the worker's own;
///   it wakes a body sleeping in ``sleep(milliseconds:)`` or ``waitForWork(timeoutMilliseconds:)``
///   at once.
/// - ``join()`` returns once the body has returned (at once if it never started). It does not
///   stop the worker by itself. Calling it from the worker's own thread would wait forever, so
///   it traps instead.
/// - Lifetime: the thread keeps the worker alive until the body returns, so a started worker
///   whose owner forgets it still finishes its body; every owner in polypipe stops and joins
///   its workers on shutdown (see <doc:ThreadsAndShutdown>).
///
/// Thread safety: every member may be called from any thread.
public final class BackgroundWorker: @unchecked Sendable {
    // @unchecked Sendable: the only mutable storage is `state`, and every read and write of it
    // happens between `condition.lock()` and `condition.unlock()`; `name` and `body` are
    // immutable `let`s (the body is itself `@Sendable`).

    /// The thread's name (`ps -L`, `top -H`, debuggers) and the worker's name in logs.
    public let name: String
    private let body: @Sendable (BackgroundWorker) -> Void
    private let condition = NSCondition()
    private var state = State()

    private struct State {
        var started = false
        var stopRequested = false
        var finished = false
        /// ``wake()`` calls not yet consumed by ``waitForWork(timeoutMilliseconds:)``.
        var pendingWakes = 0
        var thread: pthread_t?
    }

    /// - Parameters:
    ///   - name: the thread's name; keep it under 16 bytes (Linux truncates thread names).
    ///   - body: the loop; it receives the worker so it can sleep, wait and check for a stop.
    public init(name: String, body: @escaping @Sendable (BackgroundWorker) -> Void) {
        self.name = name
        self.body = body
    }

    /// Starts the thread. - Important: call it once; a second call traps.
    public func start() {
        let shouldRun = locked { (state: inout State) -> Bool in
            precondition(!state.started, "BackgroundWorker \(name) started twice")
            state.started = true
            if state.stopRequested { state.finished = true }
            return !state.stopRequested
        }
        guard shouldRun else { return }
        let thread = Thread { [self] in
            // Foundation's `Thread.name` does not reach the kernel on Linux: name the thread
            // itself, so ps -L, top -H and debuggers show it.
            _ = polypipe_set_thread_name(name)
            locked { $0.thread = pthread_self() }
            body(self)
            locked { $0.finished = true }
            condition.broadcast()
        }
        thread.start()
    }

    /// Asks the body to return and wakes it if it sleeps or waits. Idempotent; never blocks
    /// beyond a short lock.
    public func stop() {
        locked { $0.stopRequested = true }
        condition.broadcast()
    }

    /// Waits until the body has returned; returns at once for a worker never started (or
    /// stopped before it started). - Important: never from the worker's own thread (traps).
    public func join() {
        condition.lock()
        defer { condition.unlock() }
        if let thread = state.thread, !state.finished {
            precondition(pthread_equal(thread, pthread_self()) == 0, "BackgroundWorker \(name) joined from its own thread")
        }
        while state.started && !state.finished { condition.wait() }
    }

    /// ``stop()``, then ``join()``: what an owner does on shutdown.
    public func stopAndJoin() {
        stop()
        join()
    }

    /// Whether ``stop()`` was called.
    public var isStopRequested: Bool { locked { $0.stopRequested } }

    /// Whether the body has returned (or will never run).
    public var isFinished: Bool { locked { $0.finished || ($0.stopRequested && !$0.started) } }

    /// Sleeps up to `milliseconds`, returning early when ``stop()`` is called (``wake()`` does not
    /// end a sleep: use it for fixed intervals).
    /// - Returns: false when a stop was requested (the body should return), true otherwise.
    @discardableResult
    public func sleep(milliseconds: Int64) -> Bool {
        let deadline = Date(timeIntervalSinceNow: Double(max(0, milliseconds)) / 1_000)
        condition.lock()
        defer { condition.unlock() }
        while !state.stopRequested && condition.wait(until: deadline) {}
        return !state.stopRequested
    }

    /// Waits until ``wake()`` was called (consuming one call), ``stop()`` was called, or the
    /// timeout passed (nil: no timeout). Wakes are counted, so one that came while the body was
    /// busy is not lost.
    /// - Returns: false when a stop was requested, true otherwise (work may or may not be there:
    ///   check the queue).
    @discardableResult
    public func waitForWork(timeoutMilliseconds: Int64? = nil) -> Bool {
        let deadline = timeoutMilliseconds.map { Date(timeIntervalSinceNow: Double(max(0, $0)) / 1_000) }
        condition.lock()
        defer { condition.unlock() }
        while !state.stopRequested && state.pendingWakes == 0 {
            if let deadline {
                if !condition.wait(until: deadline) { break }
            } else {
                condition.wait()
            }
        }
        if state.pendingWakes > 0 { state.pendingWakes -= 1 }
        return !state.stopRequested
    }

    /// Tells a body waiting in ``waitForWork(timeoutMilliseconds:)`` that work is queued. Safe
    /// from any thread; never blocks beyond a short lock.
    public func wake() {
        locked { $0.pendingWakes += 1 }
        condition.broadcast()
    }

    private func locked<T>(_ body: (inout State) -> T) -> T {
        condition.lock()
        defer { condition.unlock() }
        return body(&state)
    }
}
