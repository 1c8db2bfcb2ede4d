import Foundation
import Runtime

/// The Python side the integration tests need, and the tiny model they share.
///
/// Tests that run inspect or transformers first call ``prepare()``, which provisions the environment
/// `PythonEnvironment()` selects (`AUTOTRAINESS_PYTHON_VENV`, else the managed venv) once per test process, so that
/// a fresh machine runs them for real instead of skipping them.
enum PythonStack {
    static let environment = PythonEnvironment()

    /// The one provisioning of the environment shared by every test (a quick no-op when it is ready).
    private static let ready = Task<Void, any Error> {
        try await environment.ensure(progress: { print("[python environment] \($0)") })
    }

    /// Waits until the Python environment is provisioned.
    static func prepare() async throws {
        try await ready.value
    }

    static var isAvailable: Bool {
        FileManager.default.isExecutableFile(atPath: environment.pythonExecutable.path)
            && FileManager.default.isExecutableFile(
                atPath: environment.binDirectory.appendingPathComponent("inspect").path)
    }

    /// A tiny random Qwen2 model (hidden 64, 2 layers) with a chatml tokenizer, built once per test process.
    static let tinyModel = Task<URL, any Error> {
        try await prepare()
        let folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("autotrainess-eval-tiny-qwen2-\(UUID().uuidString)", isDirectory: true)
        let spec = ProcessSpec(
            executable: environment.pythonExecutable.path,
            arguments: [Fixtures.url("make_tiny_qwen2.py").path, folder.path],
            environment: environment.processEnvironment())
        let outcome = try await ProcessRunner.run(spec)
        guard outcome.succeeded else {
            throw TinyModelError(message: outcome.outputTail.suffix(10).joined(separator: "\n"))
        }
        return folder
    }

    struct TinyModelError: Error, CustomStringConvertible {
        var message: String
        var description: String { "building the tiny model failed:\n\(message)" }
    }

    /// A venv-shaped folder whose `bin/python` is the venv's Python when one exists, else the system `python3`:
    /// enough for scripts that need only the standard library (the PostTrainBench stand-in, the code sandbox).
    static func plainPythonEnvironment() throws -> PythonEnvironment {
        if isAvailable { return environment }
        let cache = try Fixtures.temporaryDirectory("plainPython")
        let bin = cache.appendingPathComponent("venv/bin", isDirectory: true)
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        let python = try ProcessRunner.resolve("python3", path: ProcessInfo.processInfo.environment["PATH"] ?? "")
        try FileManager.default.createSymbolicLink(
            atPath: bin.appendingPathComponent("python").path, withDestinationPath: python)
        return PythonEnvironment(cacheDirectory: cache)
    }

    /// `PYTHONPATH` for the test-only shim that hides a broken torchvision from inspect.
    static var shimEnvironment: [String: String] { ["PYTHONPATH": Fixtures.url("python-shim").path] }
}
