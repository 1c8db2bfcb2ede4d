/// The result of `EnvironmentDoctor.run()`: one check per concern, each with a fix when it is not fine.
public struct DoctorReport: Sendable, Hashable, Codable {
    /// How a check came out.
    public enum Severity: String, Sendable, Hashable, Codable {
        /// Fine.
        case ok
        /// Worth knowing (for example: no GPU, so training runs on CPU); not a problem.
        case info
        /// Something is wrong: the fix says what to do.
        case problem
    }

    /// One check.
    public struct Check: Sendable, Hashable, Codable {
        /// What was checked (`python`, `pip`, `disk`, `cuda`, `venv`, `torch wheel`).
        public var name: String
        /// How it came out.
        public var severity: Severity
        /// What was found.
        public var detail: String
        /// What to do, when it is not fine.
        public var fix: String?

        /// Creates a check.
        public init(name: String, severity: Severity, detail: String, fix: String? = nil) {
            self.name = name
            self.severity = severity
            self.detail = detail
            self.fix = fix
        }
    }

    /// The checks, in the order they ran.
    public var checks: [Check]
    /// The managed venv's state and package versions.
    public var environment: PythonEnvironmentStatus

    /// Creates a report.
    public init(checks: [Check], environment: PythonEnvironmentStatus) {
        self.checks = checks
        self.environment = environment
    }

    /// Whether no check found a problem.
    public var isHealthy: Bool { !checks.contains { $0.severity == .problem } }

    /// The report as lines for a terminal.
    public var text: String {
        var lines: [String] = []
        for check in checks {
            let mark = switch check.severity {
            case .ok: "ok     "
            case .info: "info   "
            case .problem: "PROBLEM"
            }
            lines.append("\(mark) \(check.name): \(check.detail)")
            if let fix = check.fix {
                lines.append("        fix: \(fix)")
            }
        }
        if !environment.packages.isEmpty {
            let versions = environment.packages.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
            lines.append("packages: " + versions.joined(separator: ", "))
        }
        lines.append(isHealthy ? "No problems found." : "Problems found: see the fixes above.")
        return lines.joined(separator: "\n")
    }
}
