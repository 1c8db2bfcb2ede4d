// swift-tools-version: 6.2
import PackageDescription

let package = Package(
    name: "AutoTrainess",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "AgentCore", targets: ["AgentCore"]),
        .library(name: "DataEngine", targets: ["DataEngine"]),
        .library(name: "Interfaces", targets: ["Interfaces"]),
        .library(name: "Workflows", targets: ["Workflows"]),
        .library(name: "Runtime", targets: ["Runtime"]),
        .library(name: "TrainingBackends", targets: ["TrainingBackends"]),
        .library(name: "Evaluation", targets: ["Evaluation"]),
        .library(name: "Reporting", targets: ["Reporting"]),
        .library(name: "AutoTrainess", targets: ["AutoTrainess"]),
        .library(name: "AgentTesting", targets: ["AgentTesting"]),
        .library(name: "AutoTrainessMCP", targets: ["AutoTrainessMCP"]),
        .executable(name: "autotrainess", targets: ["AutoTrainessCLI"]),
        .executable(name: "autotrainess-bench", targets: ["AutoTrainessBench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/modelcontextprotocol/swift-sdk", from: "0.12.1"),
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
    ],
    targets: [
        .target(name: "CProcessControl"),
        .target(name: "AgentCore", dependencies: ["CProcessControl", .product(name: "Logging", package: "swift-log")]),
        .target(
            name: "Runtime",
            dependencies: ["AgentCore", .product(name: "Subprocess", package: "swift-subprocess")]
        ),
        .target(
            name: "TrainingBackends",
            dependencies: [
                "AgentCore",
                "Runtime",
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .target(
            name: "Evaluation",
            dependencies: ["AgentCore", "Runtime"]
        ),
        // Validation, near-duplicates (MinHash) and the contamination index: pure data work, no run or tool.
        .target(name: "DataEngine", dependencies: ["AgentCore"]),
        .target(
            name: "Interfaces", dependencies: ["AgentCore", "Runtime", "DataEngine", "TrainingBackends", "Evaluation"]),
        // Stages, rules, budget, checkpoint registry and the runner: what a workflow is, not how a run is assembled.
        .target(
            name: "Workflows",
            dependencies: ["AgentCore", "Runtime", "DataEngine", "TrainingBackends", "Evaluation", "Interfaces"]),
        // The run report: a value built from a run's records, its HTML page and the terminal status view.
        .target(name: "Reporting", dependencies: ["AgentCore", "DataEngine", "TrainingBackends", "Evaluation", "Interfaces"]),
        // The umbrella and composition root: task files, the run launcher (a run's parts assembled from run.json) and
        // the demo.
        .target(
            name: "AutoTrainess",
            dependencies: [
                "AgentCore", "Runtime", "DataEngine", "Interfaces", "Workflows", "TrainingBackends", "Evaluation",
                "Reporting", .product(name: "Yams", package: "Yams"),
            ]),
        .target(
            name: "AgentTesting", dependencies: ["AgentCore", "DataEngine", "TrainingBackends", "Evaluation", "Interfaces"]),
        .target(name: "AutoTrainessMCP", dependencies: ["Workflows", "Reporting", .product(name: "MCP", package: "swift-sdk")]),
        .executableTarget(
            name: "AutoTrainessCLI",
            dependencies: [
                "AutoTrainess", "AutoTrainessMCP", .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "AutoTrainessBench",
            dependencies: [
                "AutoTrainess", "DataEngine", "Interfaces", "Workflows", "TrainingBackends", "Evaluation", "Runtime",
                "AgentCore",
            ]),
        .executableTarget(
            name: "ComposeYourOwnAgent",
            dependencies: ["AutoTrainess", "AgentTesting"],
            path: "Examples/ComposeYourOwnAgent"
        ),
        .executableTarget(
            name: "CustomWorkflow",
            dependencies: ["AutoTrainess", "AgentTesting"],
            path: "Examples/CustomWorkflow"
        ),
        .executableTarget(name: "DemoFromCode", dependencies: ["AutoTrainess"], path: "Examples/DemoFromCode"),
        .testTarget(name: "AgentCoreTests", dependencies: ["AgentCore", "AgentTesting"], exclude: ["Fixtures"]),
        .testTarget(name: "RuntimeTests", dependencies: ["Runtime"]),
        // Real services for tests (a one-node Slurm, helpers to start daemons and wait for them), shared by suites.
        .target(name: "TestClusters", dependencies: ["Runtime"], path: "Tests/TestClusters"),
        .testTarget(
            name: "TrainingBackendsTests", dependencies: ["TrainingBackends", "AgentTesting", "TestClusters"],
            exclude: ["Fixtures"]
        ),
        .testTarget(name: "EvaluationTests", dependencies: ["Evaluation", "AgentTesting"], exclude: ["Fixtures"]),
        .testTarget(name: "DataEngineTests", dependencies: ["DataEngine", "Runtime"]),
        .testTarget(name: "InterfacesTests", dependencies: ["Interfaces", "DataEngine", "AgentTesting"]),
        .testTarget(
            name: "WorkflowsTests",
            dependencies: ["Workflows", "AgentTesting"]
        ),
        .testTarget(
            name: "ReportingTests", dependencies: ["Reporting", "AgentTesting"], exclude: ["Fixtures"]),
        .testTarget(name: "AutoTrainessTests", dependencies: ["AutoTrainess", "AgentTesting"], exclude: ["Fixtures"]),
        .testTarget(
            name: "CLITests",
            dependencies: [
                "AutoTrainess", "AgentTesting", "TestClusters", .product(name: "MCP", package: "swift-sdk"),
                .product(name: "SystemPackage", package: "swift-system"),
            ],
            exclude: ["Fixtures"]
        ),
    ]
)

for target in package.targets where target.name != "CProcessControl" {
    var settings = target.swiftSettings ?? []
    settings.append(.enableUpcomingFeature("ExistentialAny"))
    settings.append(.enableUpcomingFeature("MemberImportVisibility"))
    settings.append(.enableUpcomingFeature("InternalImportsByDefault"))
    settings.append(.enableUpcomingFeature("NonisolatedNonsendingByDefault"))
    target.swiftSettings = settings
}
