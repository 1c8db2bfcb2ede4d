import ArgumentParser
import AutoTrainess
import Foundation

/// `autotrainess ptb score RUN_DIR...`: PostTrainBench's leaderboard arithmetic over our runs.
struct PostTrainBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ptb",
        abstract: "PostTrainBench tools.",
        subcommands: [Score.self]
    )

    struct Score: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Score finished runs of PostTrainBench tasks the benchmark's way (weighted average ×100).",
            discussion: """
                Each RUN_DIR is a finished run (autotrainess run --posttrainbench): its cell is (benchmark, base \
                model) with the score of the evaluation its submission was promoted on (with --limit during the run, \
                that is not the benchmark's full final evaluation). Cells without a run get the base model's \
                zero-shot score; repeated runs of a cell are averaged. Exit 1 when a RUN_DIR cannot be scored.
                """
        )

        @Argument(help: "Finished run folders.")
        var runs: [String]

        @Option(help: "The weights' version: v1.1 (v1 and v1.1 share them) or v1.2 (no bfcl).")
        var version: String = "v1.2"

        @Flag(help: "Print JSON instead of a table.")
        var json = false

        func run() async throws {
            guard let version = PostTrainBenchScore.Version(rawValue: version) else {
                throw ValidationError("--version must be v1.1 or v1.2, not '\(version)'.")
            }
            let cells: [PostTrainBenchScore.Cell]
            do {
                cells = try runs.map { try PostTrainBenchScore.cell(ofRun: URL(fileURLWithPath: $0)) }
            } catch {
                FileHandle.standardError.write(Data("autotrainess ptb score: \(error)\n".utf8))
                throw ExitCode(1)
            }
            let score = PostTrainBenchScore(version: version, results: cells)
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                print(String(decoding: try encoder.encode(score), as: UTF8.self))
            } else {
                print(score.rendered)
            }
        }
    }
}
