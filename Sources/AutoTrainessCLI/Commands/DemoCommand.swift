import ArgumentParser
import AutoTrainess
import Foundation
import Interfaces
import Workflows

/// `autotrainess demo`: the embedded default run.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the embedded default: a real, tiny post-training run on CPU.",
        discussion: """
            Provisions the managed Python environment and a real small model (SmolLM2-135M-Instruct by default), \
            generates the number-words benchmark, and runs the default workflow: baseline evaluation, one iteration \
            (data → validation with the contamination guard → LoRA training with LlamaFactory → evaluation → log), \
            and promotion of final_model/ only if the trained model beats the base by more than noise.
            """
    )

    @Flag(help: "Fewer samples and steps (for CI): every step runs for real, the gain need not be significant.")
    var quick = false

    @Option(help: "The base model: smollm2-135m (default, instruction-tuned) or gemma3-270m (base model).")
    var base: String = DemoModel.smolLM2.rawValue

    @Option(help: "Where runs are written.")
    var runsDir: String = "runs"

    @OptionGroup var driver: DriverOptions
    @OptionGroup var shell: ShellFlags

    func run() async throws {
        guard let model = DemoModel(rawValue: base) else {
            throw ValidationError(
                "Unknown --base '\(base)': use \(DemoModel.allCases.map(\.rawValue).joined(separator: " or ")).")
        }
        let driver = try driver.driver()
        Console.line("AutoTrainess demo — \(quick ? "quick settings (CI)" : "default settings")")
        Console.line("Base model: \(model.summary).")
        Console.line(
            "Driver: \(driver)"
                + (driver == .recipe ? "; pass --provider and --model to let a language model drive." : ".")
        )
        let demo = DemoRun(
            model: model, settings: quick ? .quick : .standard,
            runsDirectory: URL(fileURLWithPath: runsDir, isDirectory: true), driver: driver,
            launcher: RunLauncher(progress: Console.line, shell: shell.options))
        let workspace = try await demo.prepare()
        let path = workspace.root.path
        let summary = try await Interruption.run(hint: { "Finish the demo with: autotrainess resume \(path)" }) {
            try await demo.finish(workspace)
        }
        Console.line(summary.table)
        if !summary.ending.hasPrefix("finished") { throw ExitCode(1) }
    }
}
