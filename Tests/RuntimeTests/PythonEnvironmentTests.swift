import Foundation
import Testing

@testable import Runtime

@Suite("PythonEnvironment")
struct PythonEnvironmentTests {
    static func temporaryCache() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("pyenv-unit-\(UUID().uuidString)")
    }

    @Test func processEnvironmentPutsTheVenvFirstGoesOfflineAndDropsSecrets() {
        let environment = PythonEnvironment(cacheDirectory: Self.temporaryCache())
        let base = ["PATH": "/usr/bin:/bin", "OPENAI_API_KEY": "sk-secret-value", "HOME": "/root", "HF_TOKEN": "hf_x"]
        let child = environment.processEnvironment(base: base)
        #expect(child["PATH"] == "\(environment.binDirectory.path):/usr/bin:/bin")
        #expect(child["OPENAI_API_KEY"] == nil)
        #expect(child["HF_TOKEN"] == nil)
        #expect(child["HOME"] == "/root")
        #expect(child["PYTHONUNBUFFERED"] == "1")
        #expect(child["HF_HUB_OFFLINE"] == "1")
        #expect(child["TRANSFORMERS_OFFLINE"] == "1")
        #expect(child["VIRTUAL_ENV"] == environment.venvDirectory.path)
        #expect(child["OMP_NUM_THREADS"] == String(ProcessInfo.processInfo.activeProcessorCount))
        #expect(child["MKL_NUM_THREADS"] == child["OMP_NUM_THREADS"])
    }

    @Test func aJobsThreadsWinOverTheEnvironment() {
        let environment = PythonEnvironment(cacheDirectory: Self.temporaryCache())
        let child = environment.processEnvironment(base: ["OMP_NUM_THREADS": "7"], threads: 3)
        #expect(child["OMP_NUM_THREADS"] == "3")
        #expect(child["MKL_NUM_THREADS"] == "3")
    }

    @Test func processEnvironmentKeepsAnExplicitThreadCount() {
        let environment = PythonEnvironment(cacheDirectory: Self.temporaryCache())
        #expect(environment.processEnvironment(base: ["OMP_NUM_THREADS": "7"])["OMP_NUM_THREADS"] == "7")
    }

    @Test func layoutFollowsTheCacheDirectory() {
        let cache = URL(fileURLWithPath: "/tmp/some-cache")
        let environment = PythonEnvironment(cacheDirectory: cache)
        if !environment.isOverride {
            #expect(environment.venvDirectory.path == "/tmp/some-cache/venv")
        }
        #expect(environment.pythonExecutable.path == environment.venvDirectory.path + "/bin/python")
    }

    @Test func existingVenvIsAnOverrideThatIsNeverInstalledInto() async throws {
        let folder = Self.temporaryCache()
        let environment = PythonEnvironment(existingVenv: folder)
        #expect(environment.isOverride)
        await #expect(throws: PythonEnvironmentError.self) {
            try await environment.ensure(progress: { _ in })
        }
        #expect(!FileManager.default.fileExists(atPath: folder.path))
    }

    @Test func thePinnedSetPinsTorchAndHasAStableFingerprint() throws {
        let environment = PythonEnvironment(cacheDirectory: Self.temporaryCache())
        #expect(try environment.pinnedVersion(of: "torch") == "2.13.0")
        let first = try environment.pinnedSetFingerprint()
        #expect(try environment.pinnedSetFingerprint() == first)
        #expect(!first.isEmpty)
    }

    @Test func anEmptyCacheIsNotProvisionedAndReportsMissing() async throws {
        let environment = PythonEnvironment(cacheDirectory: Self.temporaryCache())
        guard !environment.isOverride else { return }
        #expect(!environment.isProvisioned(fingerprint: try environment.pinnedSetFingerprint()))
        let status = await environment.status()
        #expect(status.state == .missing)
        #expect(status.packages.isEmpty)
    }

    @Test func theMarkerCountsOnlyWhileItsFingerprintAndFilesHold() throws {
        let cache = Self.temporaryCache()
        defer { try? FileManager.default.removeItem(at: cache) }
        var environment = PythonEnvironment(cacheDirectory: cache)
        environment.venvDirectory = cache.appendingPathComponent("venv", isDirectory: true)
        environment.isOverride = false
        try FileManager.default.createDirectory(at: environment.binDirectory, withIntermediateDirectories: true)
        #expect(
            FileManager.default.createFile(
                atPath: environment.pythonExecutable.path, contents: Data("#!/bin/sh\n".utf8),
                attributes: [.posixPermissions: 0o755]))
        let package = environment.venvDirectory.appendingPathComponent("peft_init.py")
        #expect(FileManager.default.createFile(atPath: package.path, contents: Data()))
        let fingerprint = try environment.pinnedSetFingerprint()
        try environment.writeMarker(
            ProvisioningMarker(
                fingerprint: fingerprint, python: "3.11.7", packages: ["peft": "0.18.1"],
                paths: [environment.pythonExecutable.path, package.path], provisionedAt: Date()))
        #expect(environment.isProvisioned(fingerprint: fingerprint))
        #expect(!environment.isProvisioned(fingerprint: fingerprint + "-other-pins"))
        try FileManager.default.removeItem(at: package)
        #expect(!environment.isProvisioned(fingerprint: fingerprint))
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/opt/wheels")))
    func findsTheLocalCPUTorchWheelInPipsFindLinksFolder() async throws {
        let environment = PythonEnvironment(cacheDirectory: Self.temporaryCache())
        let wheel = try await environment.localTorchWheel()
        #expect(wheel?.lastPathComponent.hasPrefix("torch-2.13.0+cpu-") == true)
    }

    @Test func theFileLockExcludesASecondHolderUntilReleased() async throws {
        let file = Self.temporaryCache().appendingPathComponent("test.lock")
        let first = try await FileLock.acquire(file) {}
        let waited = LineCollector()
        let second = Task { try await FileLock.acquire(file) { waited.append("waited") } }
        for _ in 0..<100 where waited.lines.isEmpty {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(waited.lines == ["waited"])
        first.release()
        let lock = try await second.value
        lock.release()
    }
}
