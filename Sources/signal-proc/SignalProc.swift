import ArgumentParser
import Foundation
import Logging
import PolypipeMetrics
import Bus
import PolypipeCore
import PolypipeRuntime
import Strategies

/// `signal-proc`: the strategy process. Market data in, actions out on the bus (HOLD is silence).
@main
struct SignalProc: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "signal-proc",
        abstract: "The strategy: market data in, BUY/SELL actions out on the bus (HOLD is silence).",
        discussion: """
        Every action goes to exec-proc (PUSH to <runtime>/exec/actions.sock) and to subscribers \
        (PUB on <runtime>/signal/signals.sock), topic "action", schema polypipe.bus.v1.Action. \
        Prints one line "ready" on stdout once its sockets are up; logs go to stderr. Exits 0 on \
        SIGTERM or SIGINT.
        """
    )

    @OptionGroup var options: SignalOptions

    func run() async throws {
        let options = self.options
        ProcessLogging.bootstrap(identifier: "signal-proc", level: options.level)
        let logger = Logger(label: "polypipe.signal-proc")
        let layout = BusLayout(runtimeDirectory: options.resolvedRuntimeDirectory ?? "")
        // SIGTERM/SIGINT cancel the work; the ready line, READY=1 and the watchdog as in every process.
        let metrics = try ProcessMetrics.start(address: options.metricsAddress.map { try LoopbackAddress($0) }, logger: logger)
        defer { metrics.stop() }
        let runtime = ProcessRuntime(name: "signal-proc", logger: logger, stop: .signals())
        let work = Task { () throws -> Void in
            let context = try ZmqContext()
            let outlet = try ActionOutlet(context: context, layout: layout, logger: logger)
            let ready = { runtime.ready() }
            logger.info("signal-proc starting", metadata: ["strategy": "\(options.strategy.rawValue)", "bus.runtime": "\(layout.runtimeDirectory)"])
            switch options.strategy {
            case .fairValue:
                let configuration = options.fairValueConfiguration
                let runner = WindowRunner(endpoints: options.endpoints, length: options.windowLength, logger: logger) {
                    FairValueStrategy(configuration: configuration, runID: BusClock.nowMillis())
                }
                await runner.run(outlet: outlet, context: context, layout: layout, onReady: ready)
            case .marketMaker:
                let configuration = options.marketMakerConfiguration
                let runner = WindowRunner(endpoints: options.endpoints, length: options.windowLength, logger: logger) {
                    MarketMakerStrategy(configuration: configuration, runID: BusClock.nowMillis())
                }
                await runner.run(outlet: outlet, context: context, layout: layout, onReady: ready)
            case .replay:
                let path = options.replayFile ?? ""
                guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw ValidationError("--replay-file: cannot read \(path).") }
                await ReplayRunner(file: ReplayFile(text: text), paced: options.replayPacing,
                                   clock: ReplayRunner.Clock(rawValue: options.replayClock) ?? .relative, logger: logger).run(outlet: outlet, onReady: ready)
            case .external:
                try await ExternalRunner(logger: logger).run(context: context, layout: layout, outlet: outlet, onReady: ready)
            }
        }
        try await runtime.run(until: work)
        logger.info("signal-proc stopped")
    }
}
