import ArgumentParser

/// `autotrainess`: argument parsing and wiring only; the work lives in the library modules.
@main
struct AutoTrainessCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "autotrainess",
        abstract: "Post-train language models with an LM agent: plan, build data, train, evaluate, repeat.",
        subcommands: [
            DemoCommand.self,
            RunCommand.self,
            ResumeCommand.self,
            SkillsCommand.self,
            StatusCommand.self,
            DoctorCommand.self,
            EvalCommand.self,
            DataCommand.self,
        ]
    )
}
