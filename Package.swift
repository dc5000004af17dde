// swift-tools-version:6.1
import PackageDescription

/// polypipe: live-trading execution for Polymarket's CLOB.
///
/// Eleven libraries, layered (README "Layout"); each executable is a thin `@main` over the
/// ones it needs. exec-proc, the only process with the key, links no NIO and no WebSocket.
/// Native code comes from Debian through the three `C*` system-library shims
/// (`apt-get install libsecp256k1-dev libzmq3-dev libcurl4-openssl-dev pkg-config`).
let package = Package(
    name: "polypipe",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "polypipe", targets: ["polypipe"]),
        .executable(name: "signal-proc", targets: ["signal-proc"]),
        .executable(name: "exec-proc", targets: ["exec-proc"]),
        .executable(name: "fill-proc", targets: ["fill-proc"]),
        .executable(name: "recon-proc", targets: ["recon-proc"]),
        .executable(name: "clob-sim", targets: ["clob-sim"]),
        .library(name: "PolypipeTesting", targets: ["PolypipeTesting"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket", from: "2.8.1"),
        .package(url: "https://github.com/hummingbird-project/swift-websocket", from: "1.6.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        // System-library shims: a module map and one header each, nothing else.
        .systemLibrary(
            name: "CSecp256k1",
            pkgConfig: "libsecp256k1",
            providers: [.apt(["libsecp256k1-dev"])]
        ),
        // libzmq's .pc adds `-isystem /usr/include/mit-krb5`, which SwiftPM refuses; the headers
        // are in /usr/include anyway, so no pkgConfig here (see platform notes).
        .systemLibrary(
            name: "CZmq",
            providers: [.apt(["libzmq3-dev"])]
        ),
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),

        // Process calls Swift's Glibc module does not expose: prctl hardening, and a fork/exec
        // spawn with a parent-death signal (polypipe up's children).
        .target(name: "CProcess"),

        // The libraries, bottom to top. Each depends only on libraries above it; this graph is
        // the architecture (README "Layout"), and ModuleGraphTests holds exec-proc to it.

        // Domain types, exact money, Keccak-256, secp256k1, EIP-712, JSON. No I/O.
        .target(
            name: "PolypipeCore",
            dependencies: ["CProcess", "CSecp256k1"]
        ),
        // How a process runs: signals, readiness, systemd, child processes, logging.
        .target(
            name: "PolypipeRuntime",
            dependencies: ["PolypipeCore", "CProcess", .product(name: "Logging", package: "swift-log")]
        ),
        // Metrics: swift-metrics with the Prometheus backend, and a loopback /metrics endpoint
        // without NIO (exec-proc links it).
        .target(
            name: "PolypipeMetrics",
            dependencies: ["PolypipeCore", "PolypipeRuntime",
                           .product(name: "Metrics", package: "swift-metrics"),
                           .product(name: "Prometheus", package: "swift-prometheus"),
                           .product(name: "Logging", package: "swift-log")]
        ),
        // `polypipe dashboard`: the page, its live model of the bus, control behind a token.
        .target(
            name: "Dashboard",
            dependencies: ["PolypipeCore", "PolypipeRuntime", "Bus", "VenueClient", "Fills",
                           .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                           .product(name: "Hummingbird", package: "hummingbird"),
                           .product(name: "Crypto", package: "swift-crypto"),
                           .product(name: "Logging", package: "swift-log")]
        ),
        // The ZeroMQ bus: envelopes, sockets, the protobuf schema.
        .target(
            name: "Bus",
            dependencies: ["PolypipeCore", "PolypipeRuntime", "CZmq",
                           .product(name: "Logging", package: "swift-log"),
                           .product(name: "SwiftProtobuf", package: "swift-protobuf")],
            exclude: ["Schema/README.md"]
        ),
        // The venue's REST API over libcurl: auth, orders, rate limits, paper-mode safety.
        .target(
            name: "VenueClient",
            dependencies: ["PolypipeCore", "PolypipeRuntime", "CCurl",
                           .product(name: "Crypto", package: "swift-crypto"),
                           .product(name: "Logging", package: "swift-log")]
        ),
        // The venue's WebSockets (market, user and price channels): the libraries' only NIO.
        .target(
            name: "VenueStreams",
            dependencies: ["PolypipeCore", "VenueClient",
                           .product(name: "WSClient", package: "swift-websocket"),
                           .product(name: "Logging", package: "swift-log")]
        ),
        // Books, Up/Down windows, price feeds, Gamma.
        .target(
            name: "MarketData",
            dependencies: ["PolypipeCore", "VenueClient"]
        ),
        // An upstream venue's public data, live (UpstreamFeed) or recorded (Recording): what
        // `polypipe record` writes and clob-sim's mirror and replay read.
        .target(
            name: "Upstream",
            dependencies: ["PolypipeCore", "PolypipeRuntime", "VenueClient", "VenueStreams", "MarketData",
                           .product(name: "Logging", package: "swift-log")]
        ),
        // exec-proc's journal (SQLite through GRDB), read by the other processes.
        .target(
            name: "JournalStore",
            dependencies: ["PolypipeCore", "PolypipeRuntime", .product(name: "GRDB", package: "GRDB.swift"),
                           .product(name: "Crypto", package: "swift-crypto")]
        ),
        // exec-proc's core: risk, the executor, the live gate. No NIO, no WebSocket.
        .target(
            name: "Execution",
            dependencies: ["PolypipeCore", "PolypipeRuntime", "Bus", "VenueClient", "JournalStore",
                           .product(name: "Logging", package: "swift-log"),
                           .product(name: "CoreMetrics", package: "swift-metrics"),
                           .product(name: "SwiftProtobuf", package: "swift-protobuf")]
        ),
        // fill-proc's core: fills, positions, P&L, statistics.
        .target(
            name: "Fills",
            dependencies: ["PolypipeCore", "PolypipeRuntime", "Bus", "VenueClient", "VenueStreams", "JournalStore",
                           .product(name: "GRDB", package: "GRDB.swift"),
                           .product(name: "CoreMetrics", package: "swift-metrics"),
                           .product(name: "Logging", package: "swift-log"),
                           .product(name: "SwiftProtobuf", package: "swift-protobuf")]
        ),
        // recon-proc's core: paper vs actual vs venue, alarms.
        .target(
            name: "Reconciliation",
            dependencies: ["PolypipeCore", "PolypipeRuntime", "Bus", "VenueClient", "JournalStore", "Fills",
                           .product(name: "CoreMetrics", package: "swift-metrics"),
                           .product(name: "Logging", package: "swift-log"),
                           .product(name: "SwiftProtobuf", package: "swift-protobuf")]
        ),
        // signal-proc's strategies: fair value, replay, external models.
        .target(
            name: "Strategies",
            dependencies: ["PolypipeCore", "PolypipeRuntime", "Bus", "VenueClient", "VenueStreams", "MarketData",
                           .product(name: "CoreMetrics", package: "swift-metrics"),
                           .product(name: "Logging", package: "swift-log"),
                           .product(name: "SwiftProtobuf", package: "swift-protobuf")]
        ),

        // Shipped test support (as HummingbirdTesting is): a stateful fake venue behind the
        // client's transport, and the harness that starts the built executables.
        .target(
            name: "PolypipeTesting",
            dependencies: ["PolypipeCore", "VenueClient"]
        ),

        .executableTarget(
            name: "polypipe",
            dependencies: [
                "PolypipeCore", "PolypipeRuntime", "Bus", "VenueClient", "MarketData", "JournalStore",
                "Execution", "Fills", "Reconciliation", "Upstream", "Dashboard", "PolypipeMetrics",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ]
        ),
        .executableTarget(
            name: "signal-proc",
            dependencies: ["PolypipeCore", "PolypipeRuntime", "Bus", "VenueClient", "MarketData", "Strategies", "PolypipeMetrics",
                           .product(name: "ArgumentParser", package: "swift-argument-parser"),
                           .product(name: "Logging", package: "swift-log")]
        ),
        .executableTarget(
            name: "exec-proc",
            dependencies: ["PolypipeCore", "PolypipeRuntime", "Bus", "VenueClient", "Execution", "PolypipeMetrics",
                           .product(name: "ArgumentParser", package: "swift-argument-parser"),
                           .product(name: "Logging", package: "swift-log")]
        ),
        .executableTarget(
            name: "fill-proc",
            dependencies: ["PolypipeCore", "PolypipeRuntime", "Bus", "VenueClient", "Fills", "PolypipeMetrics",
                           .product(name: "ArgumentParser", package: "swift-argument-parser"),
                           .product(name: "Logging", package: "swift-log")]
        ),
        .executableTarget(
            name: "recon-proc",
            dependencies: ["PolypipeCore", "PolypipeRuntime", "Bus", "VenueClient", "Reconciliation", "PolypipeMetrics",
                           .product(name: "ArgumentParser", package: "swift-argument-parser"),
                           .product(name: "Logging", package: "swift-log")]
        ),

        // The local venue. Its routes and matching engine live here, so that no library (and so
        // no trading process) links Hummingbird.
        .executableTarget(
            name: "clob-sim",
            dependencies: [
                "PolypipeCore", "VenueClient", "MarketData", "Upstream",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),

        .testTarget(
            name: "ClobSimTests",
            dependencies: ["PolypipeTesting", "clob-sim", "PolypipeCore", "VenueClient", "VenueStreams", "Upstream", .product(name: "Logging", package: "swift-log")]
        ),
        .testTarget(
            name: "SharedTests",
            dependencies: ["PolypipeTesting", "PolypipeCore", "PolypipeRuntime", "Bus", "VenueClient", "VenueStreams", "MarketData", "JournalStore", "Execution", "Fills", "Reconciliation", "Strategies", "Upstream", "PolypipeMetrics", "Dashboard",
                           .product(name: "Prometheus", package: "swift-prometheus"),
                           .product(name: "GRDB", package: "GRDB.swift"),
                           .product(name: "InMemoryLogging", package: "swift-log")]
        ),
        .testTarget(
            name: "NativeShimTests",
            dependencies: ["CSecp256k1", "CZmq", "CCurl"]
        ),
        .testTarget(
            name: "ExecProcTests",
            dependencies: ["PolypipeTesting", "PolypipeCore", "Bus", "VenueClient", "JournalStore", "Fills", "Upstream", "exec-proc", "fill-proc", "recon-proc", "clob-sim",
                           "polypipe"]
        ),
        .testTarget(
            name: "PolypipeCLITests",
            dependencies: ["PolypipeTesting", "PolypipeCore", "PolypipeRuntime", "Bus", "VenueClient", "JournalStore", "Upstream", "Fills", "polypipe",
                           "clob-sim", .product(name: "GRDB", package: "GRDB.swift")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
