import Foundation
import TestClusters
import Runtime
#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// A single-node Ray cluster started for a test: `ray start --head` (2 CPUs, no GPU) from the Ray venv that
/// `scripts/install-test-services.sh ray` creates (installed on first use), its dashboard (the Jobs REST API) on a
/// free loopback port, stopped with `ray stop --force` at the end.
struct LocalRayCluster {
    let address: URL
    let venv: URL

    static var venvDirectory: URL {
        ProcessInfo.processInfo.environment["AUTOTRAINESS_RAY_VENV"].map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/autotrainess/ray-venv")
    }

    /// One installation shared by the tests that need Ray.
    private static let installOnce = Task<Void, any Error> {
        let outcome = try await ProcessRunner.run(
            ProcessSpec(
                executable: "/bin/bash", arguments: [MissingTestService.installer, "ray"],
                environment: ProcessInfo.processInfo.environment)
        ) { line in
            switch line {
            case .stdout(let text), .stderr(let text): print("[install-test-services] \(text)")
            }
        }
        guard outcome.succeeded else {
            throw TestServiceFailure(description: "installing Ray failed: \(outcome.outputTail.suffix(10))")
        }
    }

    static func with<T>(_ body: (LocalRayCluster) async throws -> T) async throws -> T {
        try await installOnce.value
        let venv = venvDirectory
        let ray = venv.appendingPathComponent("bin/ray").path
        let port = try TestServices.freePort()
        var environment = ProcessInfo.processInfo.environment
        environment["RAY_USAGE_STATS_ENABLED"] = "0"
        // Not through ProcessRunner: it ends a command's whole process group, and `ray start` leaves its daemons
        // running in it.
        let start = Process()
        start.executableURL = URL(fileURLWithPath: ray)
        start.arguments = [
            "start", "--head", "--num-cpus", "2", "--num-gpus", "0", "--include-dashboard", "true",
            "--dashboard-host", "127.0.0.1", "--dashboard-port", String(port), "--disable-usage-stats",
        ]
        start.environment = environment
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("ray-start-\(port).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        start.standardOutput = handle
        start.standardError = handle
        try start.run()
        start.waitUntilExit()
        try? handle.close()
        guard start.terminationStatus == 0 else {
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            throw TestServiceFailure(description: "ray start failed: \(text.suffix(1500))")
        }
        let cluster = LocalRayCluster(address: URL(string: "http://127.0.0.1:\(port)")!, venv: venv)
        do {
            try await cluster.waitForJobsAPI()
            let result = try await body(cluster)
            await cluster.stop(environment)
            return result
        } catch {
            await cluster.stop(environment)
            throw error
        }
    }

    private func waitForJobsAPI() async throws {
        for _ in 0..<120 {
            if let (data, _) = try? await URLSession.shared.data(from: address.appendingPathComponent("api/version")),
                String(decoding: data, as: UTF8.self).contains("ray_version")
            {
                return
            }
            try await Task.sleep(for: .milliseconds(500))
        }
        throw TestServiceFailure(description: "the Ray dashboard at \(address) did not answer within 60 s")
    }

    private func stop(_ environment: [String: String]) async {
        _ = try? await ProcessRunner.run(
            ProcessSpec(
                executable: venv.appendingPathComponent("bin/ray").path, arguments: ["stop", "--force"],
                environment: environment, deadline: Date().addingTimeInterval(60)))
    }

    /// Every job's submission id and status.
    func jobs() async throws -> [(id: String, status: String)] {
        let (data, _) = try await URLSession.shared.data(from: address.appendingPathComponent("api/jobs/"))
        let list = try JSONSerialization.jsonObject(with: data) as? [[String: Any]] ?? []
        return list.map { ($0["submission_id"] as? String ?? "", $0["status"] as? String ?? "") }
    }
}
