import ArgumentParser

/// `autotrainess demo`: the embedded default run.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the embedded default: a real, tiny post-training run on CPU."
    )

    @Flag(help: "Fewer samples and steps (for CI).")
    var quick = false

    func run() async throws {
        print("autotrainess demo: not yet built (see issue 8).")
        throw ExitCode(1)
    }
}
