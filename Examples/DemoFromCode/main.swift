import AutoTrainess
import Foundation

// `autotrainess demo --quick` from code: a real run on CPU (real SmolLM2-135M-Instruct, LoRA training with
// LlamaFactory, evaluation on a held-out split). The first call provisions the managed Python environment and the
// model (minutes, once); after that it takes about two minutes on 2 cores.
let runs = URL(fileURLWithPath: CommandLine.arguments.dropFirst().first ?? "runs", isDirectory: true)
let demo = DemoRun(
    settings: .quick,  // .standard for the full demo (about 5 minutes)
    runsDirectory: runs,
    driver: .recipe,  // or .model(provider: "anthropic", model: "claude-sonnet-4-5", baseURL: nil)
    launcher: RunLauncher(progress: { print($0) }))
let summary = try await demo.run()
print(summary.table)  // baseline and candidate scores, the gain's interval, wall time per step, the run folder
