import Foundation
@testable import Runtime
import Testing

/// Installs the real pinned stack from PyPI into a fresh cache (a few minutes). Set
/// `AUTOTRAINESS_SKIP_INSTALL_TESTS=1` to skip it on a machine without PyPI access.
@Suite("PythonEnvironment integration", .serialized)
struct PythonEnvironmentIntegrationTests {
    @Test(.enabled(if: ProcessInfo.processInfo.environment["AUTOTRAINESS_SKIP_INSTALL_TESTS"] == nil))
    func ensureInstallsIsIdempotentAndRepairsADeletedPackage() async throws {
        let cache = FileManager.default.temporaryDirectory.appendingPathComponent("pyenv-install-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: cache) }
        // Built field by field so that AUTOTRAINESS_PYTHON_VENV in the test environment cannot redirect it.
        var environment = PythonEnvironment(cacheDirectory: cache)
        environment.venvDirectory = cache.appendingPathComponent("venv", isDirectory: true)
        environment.isOverride = false

        let clock = ContinuousClock()
        let firstLines = LineCollector()
        let installTime = try await clock.measure {
            try await environment.ensure { firstLines.append($0) }
        }
        print("PythonEnvironment fresh install: \(installTime)")
        #expect(firstLines.lines.contains { $0.contains("Creating the Python environment") })
        let fingerprint = try environment.pinnedSetFingerprint()
        #expect(environment.isProvisioned(fingerprint: fingerprint))
        let status = await environment.status()
        #expect(status.state == .ready)
        #expect(status.packages["llamafactory"] == "0.9.5")
        #expect(status.packages["torch"]?.hasPrefix("2.13.0") == true)
        #expect(status.importErrors.isEmpty)

        // torchvision and torchaudio are gone; the stub answers LlamaFactory's import.
        let site = try #require(
            FileManager.default.contentsOfDirectory(atPath: environment.venvDirectory.path + "/lib").first)
        let sitePackages = environment.venvDirectory.appendingPathComponent("lib/\(site)/site-packages")
        #expect(!FileManager.default.fileExists(atPath: sitePackages.appendingPathComponent("torchvision").path))
        #expect(FileManager.default.fileExists(atPath: sitePackages.appendingPathComponent("autotrainess-stubs.pth").path))

        // A second call is a no-op: no progress, marker untouched.
        let markerDate = try FileManager.default.attributesOfItem(atPath: environment.markerFile.path)[.modificationDate]
        let secondLines = LineCollector()
        try await environment.ensure { secondLines.append($0) }
        #expect(secondLines.lines.isEmpty)
        let markerDateAfter = try FileManager.default.attributesOfItem(atPath: environment.markerFile.path)[.modificationDate]
        #expect(markerDate as? Date == markerDateAfter as? Date)

        // Delete a package's files: detected without importing, then repaired in place.
        try FileManager.default.removeItem(at: sitePackages.appendingPathComponent("peft"))
        #expect(!environment.isProvisioned(fingerprint: fingerprint))
        let repairLines = LineCollector()
        try await environment.ensure { repairLines.append($0) }
        #expect(repairLines.lines.contains { $0.contains("Repairing") })
        #expect(!repairLines.lines.contains { $0.contains("rebuilding") })
        #expect(environment.isProvisioned(fingerprint: fingerprint))
        #expect(await environment.status().state == .ready)
    }
}
