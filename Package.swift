// swift-tools-version:6.1
import PackageDescription

/// polypipe: live-trading execution for Polymarket's CLOB.
///
/// `Shared` is the library every process links; each executable is a thin `@main` over it.
/// Native code comes from Debian through the three `C*` system-library shims
/// (`apt-get install libsecp256k1-dev libzmq3-dev libcurl4-openssl-dev pkg-config`).
let package = Package(
    name: "polypipe",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "Shared", targets: ["Shared"]),
        .executable(name: "polypipe", targets: ["polypipe"]),
        .executable(name: "signal-proc", targets: ["signal-proc"]),
        .executable(name: "exec-proc", targets: ["exec-proc"]),
        .executable(name: "fill-proc", targets: ["fill-proc"]),
        .executable(name: "recon-proc", targets: ["recon-proc"]),
        .executable(name: "clob-sim", targets: ["clob-sim"]),
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

        .target(
            name: "Shared",
            dependencies: [
                "CProcess",
                "CSecp256k1",
                "CCurl",
                "CZmq",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "WSClient", package: "swift-websocket"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            exclude: ["Bus/Schema/README.md"]
        ),

        .executableTarget(
            name: "polypipe",
            dependencies: [
                "Shared",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ]
        ),
        .executableTarget(
            name: "signal-proc",
            dependencies: ["Shared", .product(name: "ArgumentParser", package: "swift-argument-parser"),
                           .product(name: "Logging", package: "swift-log")]
        ),
        .executableTarget(
            name: "exec-proc",
            dependencies: ["Shared", .product(name: "ArgumentParser", package: "swift-argument-parser"),
                           .product(name: "Logging", package: "swift-log")]
        ),
        .executableTarget(
            name: "fill-proc",
            dependencies: ["Shared", .product(name: "ArgumentParser", package: "swift-argument-parser"),
                           .product(name: "Logging", package: "swift-log")]
        ),
        .executableTarget(
            name: "recon-proc",
            dependencies: ["Shared", .product(name: "ArgumentParser", package: "swift-argument-parser"),
                           .product(name: "Logging", package: "swift-log")]
        ),

        // The local venue. Its routes and matching engine live here, so that Shared (and so
        // exec-proc) never links Hummingbird.
        .executableTarget(
            name: "clob-sim",
            dependencies: [
                "Shared",
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
            dependencies: ["clob-sim", "Shared", .product(name: "Logging", package: "swift-log")]
        ),
        .testTarget(
            name: "SharedTests",
            dependencies: ["Shared", .product(name: "GRDB", package: "GRDB.swift"),
                           .product(name: "InMemoryLogging", package: "swift-log")]
        ),
        .testTarget(
            name: "NativeShimTests",
            dependencies: ["CSecp256k1", "CZmq", "CCurl"]
        ),
        .testTarget(
            name: "ExecProcTests",
            dependencies: ["Shared", "exec-proc", "fill-proc", "recon-proc", "clob-sim"]
        ),
        .testTarget(
            name: "PolypipeCLITests",
            dependencies: ["Shared", "polypipe"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
