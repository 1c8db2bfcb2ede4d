import ArgumentParser
import Foundation
import Runtime

/// `autotrainess doctor`: checks Python, pip, disk, GPUs and the managed venv, and says how to fix each problem.
struct DoctorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check the training environment (Python, pip, disk, GPUs, the managed venv) and print fixes.",
        discussion: "Exit status: 0 when no problem was found, 1 otherwise."
    )

    @Flag(help: "Print the report as JSON.")
    var json = false

    @Flag(help: "Provision or repair the managed Python environment before checking.")
    var install = false

    func run() async throws {
        let environment = PythonEnvironment()
        if install {
            try await environment.ensure(progress: { line in
                FileHandle.standardError.write(Data((line + "\n").utf8))
            })
        }
        let report = await EnvironmentDoctor(environment: environment).run()
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            print(report.text)
        }
        if !report.isHealthy {
            throw ExitCode(1)
        }
    }
}
