// swift-tools-version: 6.1
// RaiseDash: incident management run from Telegram groups.
// One executable (`raisedash`), four roles over ZeroMQ, a pure core with adapters around it.

import PackageDescription

let package = Package(
    name: "raisedash",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "raisedash", targets: ["raisedash"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-configuration", from: "1.4.0"),
        // FilePath for the `.env` file swift-configuration reads (swift-configuration's own dependency).
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
        // HTTP field names and the peer's address in the role HTTP listener (Hummingbird's own dependencies).
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
        // Company access keys: bcrypt hashes (HummingbirdBcrypt); session tokens: SHA-256 (Crypto).
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
    ],
    targets: [
        // MARK: ZeroMQ
        .systemLibrary(
            name: "CZeroMQ",
            pkgConfig: "libzmq",
            providers: [.apt(["libzmq3-dev"])]
        ),
        /// A small Swift layer over libzmq: sockets owned by one thread, receiving as AsyncSequence.
        .target(name: "ZeroMQ", dependencies: ["CZeroMQ"]),
        /// glibc's malloc tuning (`mallopt`): the report thread keeps freed memory for the next report.
        .systemLibrary(name: "CMalloc"),

        // MARK: Child processes
        /// fork/exec with PR_SET_PDEATHSIG and no inherited descriptors (C, async-signal-safe).
        .target(name: "CProcessLauncher"),
        /// The one launcher every spawn goes through: supervisor, tests, benchmarks, demo.
        .target(name: "ProcessLauncher", dependencies: ["CProcessLauncher"]),

        // MARK: Pure core (standard library + Foundation value types only)
        /// The one timestamp format (RFC 3339, UTC, milliseconds): the bus, the store, the APIs.
        .target(name: "Timestamps"),
        /// The bus envelope and the message families the four roles exchange.
        .target(name: "WireProtocol", dependencies: ["Timestamps"]),
        /// Incident state machine, authorization, SLA arithmetic: decisions as data.
        .target(name: "IncidentCore", dependencies: ["Timestamps"]),
        /// KPI formulas: department sessions, episodes, percentiles, SLA, periods in a time zone.
        .target(name: "IncidentKPI", dependencies: ["IncidentCore", "Timestamps"]),
        /// Weekly shifts in a company's time zone (overnight, daylight saving): who is on shift.
        .target(name: "IncidentShifts", dependencies: ["IncidentCore"]),

        // MARK: Adapters
        /// SQLite store (GRDB): compare-and-set transitions, outbox, timeline, processed updates.
        .target(name: "Storage", dependencies: [
            "IncidentCore", "IncidentKPI", "IncidentShifts", "Timestamps", "CMalloc",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        /// Typed Telegram Bot API client on URLSession.
        .target(name: "TelegramBotAPI", dependencies: [
            .product(name: "Logging", package: "swift-log"),
        ]),
        /// A local Bot API server that behaves like Telegram's, with a control API and chat page.
        .target(
            name: "TelegramSimulator",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            resources: [.copy("Resources")]
        ),
        /// A typed client for the simulator's control API: the demo, the benchmarks and the tests
        /// act as the people in the simulated chats through it.
        .target(name: "SimulatorClient"),
        /// Settings from environment, `.env` and defaults, validated at start.
        .target(name: "RaiseDashConfig", dependencies: [
            .product(name: "Configuration", package: "swift-configuration"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "SystemPackage", package: "swift-system"),
        ]),

        // MARK: Roles
        /// What every role shares: bus sockets, health/metrics endpoint, logging set-up.
        .target(name: "RoleSupport", dependencies: [
            "ZeroMQ", "WireProtocol", "RaiseDashConfig", "ProcessLauncher",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "NIOCore", package: "swift-nio"),
        ]),
        .target(name: "Gateway", dependencies: [
            "RoleSupport", "TelegramBotAPI", "WireProtocol", "ZeroMQ", "RaiseDashConfig",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        .target(name: "IncidentService", dependencies: [
            "RoleSupport", "IncidentCore", "Storage", "IncidentKPI", "IncidentShifts", "WireProtocol", "ZeroMQ",
            "RaiseDashConfig", "Timestamps",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        .target(name: "Sender", dependencies: [
            "RoleSupport", "TelegramBotAPI", "WireProtocol", "ZeroMQ", "RaiseDashConfig",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Metrics", package: "swift-metrics"),
            // `CoreMetrics.Timer`, named apart from Foundation's Timer.
            .product(name: "CoreMetrics", package: "swift-metrics"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        .target(name: "Scheduler", dependencies: [
            "RoleSupport", "WireProtocol", "ZeroMQ", "RaiseDashConfig",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        /// `raisedash up`: runs the roles as child processes and keeps them alive.
        .target(name: "Supervisor", dependencies: [
            "RoleSupport", "ProcessLauncher",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),

        /// The dashboard: server-rendered pages for a company's managers (docs/dashboard.md).
        .target(name: "Dashboard", dependencies: [
            "IncidentService", "Storage", "IncidentCore", "IncidentKPI", "IncidentShifts", "RaiseDashConfig", "RoleSupport",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "Mustache", package: "swift-mustache"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Logging", package: "swift-log"),
        ]),

        // MARK: Executables
        .executableTarget(name: "raisedash", dependencies: [
            "Gateway", "IncidentService", "Dashboard", "Sender", "Scheduler", "Supervisor", "TelegramSimulator",
            "SimulatorClient", "RaiseDashConfig", "RoleSupport", "ZeroMQ", "Storage", "IncidentCore",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "Hummingbird", package: "hummingbird"),
        ]),
        /// Benchmarks report numbers; they are not tests. The gateway and sender benchmarks run
        /// a role in this process against a fake Bot API of their own, on the bus.
        .executableTarget(name: "raisedash-bench", dependencies: [
            "IncidentCore", "Storage", "IncidentKPI", "Sender", "Gateway", "ProcessLauncher",
            "RoleSupport", "TelegramBotAPI", "WireProtocol", "ZeroMQ", "HTTPTestSupport", "SimulatorClient",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Logging", package: "swift-log"),
        ]),

        // MARK: Tests (one target per module)
        /// A throwaway HTTP server on 127.0.0.1 for the fakes of tests and benchmarks (not shipped).
        .target(name: "HTTPTestSupport", dependencies: [
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ], path: "Tests/HTTPTestSupport"),
        /// Fakes shared by tests that talk to a Bot API (not shipped).
        .target(name: "BotAPITestSupport", dependencies: [
            "HTTPTestSupport",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Logging", package: "swift-log"),
        ], path: "Tests/BotAPITestSupport"),
        .testTarget(name: "ZeroMQTests", dependencies: ["ZeroMQ"]),
        .testTarget(name: "WireProtocolTests", dependencies: ["WireProtocol"]),
        .testTarget(name: "IncidentCoreTests", dependencies: [
            "IncidentCore", "Timestamps",
            .product(name: "PropertyBased", package: "swift-property-based"),
        ]),
        .testTarget(name: "IncidentKPITests", dependencies: ["IncidentKPI", "IncidentCore", "Timestamps"]),
        .testTarget(name: "IncidentShiftsTests", dependencies: ["IncidentShifts", "IncidentCore"]),
        .testTarget(name: "IncidentStoreTests", dependencies: [
            "Storage", "IncidentCore", "IncidentKPI", "IncidentShifts", "ProcessLauncher", "Timestamps",
            .product(name: "PropertyBased", package: "swift-property-based"),
            // Raw SQL on the store's pool: the timeline refuses updates and deletes.
            .product(name: "GRDB", package: "GRDB.swift"),
        ]),
        .testTarget(name: "TelegramBotAPITests", dependencies: ["TelegramBotAPI", "BotAPITestSupport"]),
        .testTarget(name: "TelegramSimulatorTests", dependencies: [
            "TelegramSimulator", "SimulatorClient", "WebDriverSupport",
            .product(name: "Logging", package: "swift-log"),
        ]),
        /// The client against a real simulator: the wire format both sides agree on.
        .testTarget(name: "SimulatorClientTests", dependencies: [
            "SimulatorClient", "TelegramSimulator",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "RaiseDashConfigTests", dependencies: ["RaiseDashConfig"]),
        .testTarget(name: "GatewayTests", dependencies: [
            "Gateway", "TelegramBotAPI", "BotAPITestSupport", "ProcessTestSupport", "WireProtocol", "ZeroMQ", "RoleSupport",
            "RaiseDashConfig",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        .testTarget(name: "SenderTests", dependencies: [
            "Sender", "TelegramBotAPI", "BotAPITestSupport", "WireProtocol", "ZeroMQ", "RoleSupport", "RaiseDashConfig",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        .testTarget(name: "IncidentServiceTests", dependencies: [
            "IncidentService", "Storage", "IncidentCore", "IncidentKPI", "IncidentShifts", "WireProtocol", "ZeroMQ", "RoleSupport", "RaiseDashConfig", "Timestamps",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Logging", package: "swift-log"),
            // Raw SQL on the test's database file: a poison trigger, a held write lock.
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        /// Tests that start the built `raisedash` binary as real processes.
        .testTarget(name: "ProcessTests", dependencies: [
            "WireProtocol", "ZeroMQ", "RoleSupport", "ProcessLauncher", "ProcessTestSupport", "WebDriverSupport", "SimulatorClient",
        ]),
        /// The one child process of the tests: a built `raisedash` started through the launcher,
        /// its output captured (not shipped).
        .target(name: "ProcessTestSupport", dependencies: ["ProcessLauncher"], path: "Tests/ProcessTestSupport"),
        /// A W3C WebDriver client for headless Chromium tests (not shipped).
        .target(name: "WebDriverSupport", dependencies: ["ProcessLauncher"], path: "Tests/WebDriverSupport"),
        /// The benchmarks still run (their numbers are not checked).
        .testTarget(name: "BenchmarkTests", dependencies: [
            "raisedash-bench",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "DashboardTests", dependencies: [
            "Dashboard", "Storage", "IncidentCore", "IncidentShifts", "RaiseDashConfig", "RoleSupport",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "HummingbirdTesting", package: "hummingbird"),
            .product(name: "Logging", package: "swift-log"),
        ]),
    ]
)
