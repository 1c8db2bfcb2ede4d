import Foundation
import Testing

@testable import Runtime

@Suite("EnvironmentDoctor")
struct EnvironmentDoctorTests {
    @Test func aFreshCacheIsReportedAsToBeCreatedNotAsAProblem() async throws {
        let cache = FileManager.default.temporaryDirectory.appendingPathComponent("doctor-\(UUID().uuidString)")
        var environment = PythonEnvironment(cacheDirectory: cache)
        environment.venvDirectory = cache.appendingPathComponent("venv", isDirectory: true)
        environment.isOverride = false
        let report = await EnvironmentDoctor(environment: environment, minimumFreeGiB: 0).run()
        #expect(report.checks.map(\.name) == ["python", "pip", "disk", "venv", "torch wheel", "cuda", "sandbox"])
        let venv = try #require(report.checks.first { $0.name == "venv" })
        #expect(venv.severity == .info)
        #expect(venv.fix?.contains("created on first use") == true)
        #expect(report.environment.state == .missing)
        #expect(report.text.contains("venv: "))
    }

    @Test func aMissingPythonIsAProblemWithAFix() async {
        let cache = FileManager.default.temporaryDirectory.appendingPathComponent("doctor-\(UUID().uuidString)")
        let environment = PythonEnvironment(cacheDirectory: cache, systemPython: "/nonexistent/python3")
        let report = await EnvironmentDoctor(environment: environment, minimumFreeGiB: 0).run()
        let python = report.checks.first { $0.name == "python" }
        #expect(python?.severity == .problem)
        #expect(python?.fix?.contains("Install Python") == true)
        #expect(!report.isHealthy)
        #expect(report.text.contains("PROBLEM python"))
    }

    @Test func tooLittleDiskIsAProblem() async {
        let cache = FileManager.default.temporaryDirectory.appendingPathComponent("doctor-\(UUID().uuidString)")
        let report = await EnvironmentDoctor(
            environment: PythonEnvironment(cacheDirectory: cache), minimumFreeGiB: 1_000_000_000
        ).run()
        #expect(report.checks.first { $0.name == "disk" }?.severity == .problem)
    }
}
