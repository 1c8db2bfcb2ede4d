import AgentCore
import AgentTesting
import Foundation
import Interfaces
import Runtime
import Synchronization
import Testing

@testable import AutoTrainess

@Suite("TaskSpec")
struct TaskSpecTests {
    /// A task folder with a base model folder, a benchmark file and a training source.
    final class TaskFolder: Sendable {
        let directory: TemporaryDirectory

        init() throws {
            directory = try TemporaryDirectory()
            try directory.makeModel("models/base", marker: "base weights")
            try directory.write(#"{"id": "1", "prompt": "one", "target": "1"}"# + "\n", to: "data/bench.jsonl")
            try directory.write(#"[{"question": "two", "answer": "2"}]"#, to: "data/train.json")
        }

        func absolute(_ relative: String) -> String { directory.path(relative).standardizedFileURL.path }

        /// Writes `yaml` as `tasks/task.yaml` and loads it.
        func load(_ yaml: String) throws -> TaskSpec {
            try directory.write(yaml, to: "tasks/task.yaml")
            return try TaskSpec.load(from: directory.path("tasks/task.yaml"))
        }

        /// The error loading `yaml` throws; records an issue when it loads.
        func loadError(_ yaml: String, sourceLocation: SourceLocation = #_sourceLocation) -> TaskSpecError? {
            do {
                let spec = try load(yaml)
                Issue.record("the task loaded: \(spec)", sourceLocation: sourceLocation)
                return nil
            } catch let error as TaskSpecError {
                return error
            } catch {
                Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
                return nil
            }
        }

        var taskFile: String { directory.path("tasks/task.yaml").path }
    }

    /// A complete task whose paths are relative to `tasks/`; `replacing` swaps lines for broken variants.
    static func yaml(replacing old: String? = nil, with new: String = "") -> String {
        let text = """
            name: toy
            base_model: ../models/base
            template: qwen
            budget: 1h30m
            reserve: 10m
            benchmark:
              name: toy-bench
              evaluator: local
              file: ../data/bench.jsonl
              limit: 20
              max_new_tokens: 16
            data_roots: [../data]
            max_iterations: 2
            recipe:
              datasetName: qa
              sources: [../data/train.json]
              format: alpaca
              mapping:
                instruction: "{question}"
                output: "{answer}"
              hyperparameters:
                max_steps: 8
              weakness: wrong answers
              hypothesis: examples help
              successCriterion: accuracy above 0.5

            """
        guard let old else { return text }
        return text.replacingOccurrences(of: old, with: new)
    }

    @Test func validTaskLoadsWithPathsResolvedAgainstItsFolder() throws {
        let folder = try TaskFolder()
        let spec = try folder.load(Self.yaml())
        #expect(spec.name == "toy")
        #expect(spec.template == "qwen")
        #expect(spec.baseModel == folder.absolute("models/base"))
        #expect(spec.benchmark.file == folder.absolute("data/bench.jsonl"))
        #expect(spec.benchmark.evaluator == .local)
        #expect(spec.benchmark.limit == 20)
        #expect(spec.benchmark.maxNewTokens == 16)
        #expect(spec.dataRoots == [folder.absolute("data")])
        #expect(spec.maxIterations == 2)
        #expect(spec.recipe?.sources == [folder.absolute("data/train.json")])
        #expect(spec.recipe?.mapping.instruction == "{question}")
        #expect(spec.recipe?.hyperparameters["max_steps"]?.intValue == 8)
        let (total, reserve) = try spec.budgetSeconds()
        #expect(total == 5_400)
        #expect(reserve == 600)
        #expect(spec.taskDescription.contains("toy-bench"))
    }

    @Test func theExecutorIsChosenInTheTaskFileWithEachKindsFieldsChecked() throws {
        let folder = try TaskFolder()
        let slurm = try folder.load(
            Self.yaml() + "executor:\n  kind: slurm\n  job_directory: /shared/jobs\n  partition: gpu\n  gpus_per_job: 1\n")
        #expect(slurm.executor?.kind == .slurm)
        let executor = try #require(try slurm.executor?.make(path: "t") as? SlurmExecutor)
        #expect(executor.options.jobDirectory == "/shared/jobs" && executor.options.partition == "gpu")
        #expect(executor.options.gpus == 1)
        let ssh = try folder.load(
            Self.yaml() + "executor:\n  kind: ssh\n  host: gpu-box\n  remote_work_directory: /scratch\n"
                + "  path_mappings: {/home/me/runs: /scratch/runs}\n")
        let remote = try #require(try ssh.executor?.make(path: "t") as? SSHExecutor)
        #expect(remote.host.destination == "gpu-box" && remote.location(of: "/home/me/runs/r1") == "/scratch/runs/r1")

        let noHost = folder.loadError(Self.yaml() + "executor:\n  kind: ssh\n  remote_work_directory: /scratch\n")
        #expect("\(noHost.map { "\($0)" } ?? "")".contains("field 'executor.host': missing"))
        let typo = folder.loadError(Self.yaml() + "executor:\n  kind: slurm\n  job_directory: /j\n  partiton: gpu\n")
        #expect("\(typo.map { "\($0)" } ?? "")".contains("executor.partiton': unknown key (did you mean 'partition'?)"))
        let ray = try folder.load(Self.yaml() + "executor:\n  kind: ray\n  address: http://head:8265\n  cpus_per_job: 4\n")
        let cluster = try #require(try ray.executor?.make(path: "t") as? RayJobsExecutor)
        #expect(cluster.address.absoluteString == "http://head:8265" && cluster.cpus == 4 && cluster.gpus == 0)
        let noAddress = folder.loadError(Self.yaml() + "executor:\n  kind: ray\n")
        #expect("\(noAddress.map { "\($0)" } ?? "")".contains("field 'executor.address': missing"))
        let kind = folder.loadError(Self.yaml() + "executor:\n  kind: kubernetes\n")
        #expect("\(kind.map { "\($0)" } ?? "")".contains("executor.kind"))
    }

    @Test func theCommandLineChoosesAnExecutorWithTheTaskFilesKeys() throws {
        let ray = try ExecutorSpec.parse("kind=ray,address=http://head:8265,cpus_per_job=2,autoscales=true")
        let cluster = try #require(try ray.make(path: "--executor") as? RayJobsExecutor)
        #expect(cluster.cpus == 2 && cluster.autoscales && cluster.address.absoluteString == "http://head:8265")
        let ssh = try ExecutorSpec.parse("kind=ssh,host=10.0.0.5,remote_work_directory=/scratch,path_mappings=/runs:/scratch/runs")
        let remote = try #require(try ssh.make(path: "--executor") as? SSHExecutor)
        #expect(remote.host.host == "10.0.0.5" && remote.location(of: "/runs/a") == "/scratch/runs/a")
        #expect(throws: TaskSpecError.self) { try ExecutorSpec.parse("kind=k8s") }
        // LlamaFactory's own Ray mode, and the Python its workers run.
        let workers = try ExecutorSpec.parse(
            "kind=ray,address=http://head:8265,train_workers=8,cpus_per_worker=6,python=/opt/venv/bin/python")
        #expect(workers.rayTraining == RayTraining(workers: 8, cpusPerWorker: 6))
        #expect(try (workers.make(path: "--executor") as? RayJobsExecutor)?.pythonExecutable == "/opt/venv/bin/python")
        #expect(ray.rayTraining == nil)
        #expect { try ExecutorSpec.parse("kind=ray,address=http://h:8265,train_workers=0").make(path: "--executor") } throws: {
            "\($0)".contains("executor.train_workers")
        }
        let slurmConf = try ExecutorSpec.parse("kind=slurm,job_directory=/j,slurm_conf=/etc/other/slurm.conf")
        #expect(try (slurmConf.make(path: "--executor") as? SlurmExecutor)?.environment["SLURM_CONF"] == "/etc/other/slurm.conf")
        #expect { try ExecutorSpec.parse("kind=slurm,partiton=gpu") } throws: {
            "\($0)".contains("'partiton': unknown key (did you mean 'partition'?)")
        }
    }

    @Test func aTeacherFromTheTaskFileIsUsedUnlessTheRulesForbidIt() throws {
        let folder = try TaskFolder()
        let spec = try folder.load(
            Self.yaml() + "teacher:\n  provider: openai-compatible\n  model: teacher-7b\n  base_url: http://127.0.0.1:9/v1\n")
        #expect(spec.teacher == TeacherSpec(provider: "openai-compatible", model: "teacher-7b", baseURL: "http://127.0.0.1:9/v1"))
        let workspace = Workspace(root: folder.directory.path("run"))
        let launcher = RunLauncher(progress: { _ in })
        let allowed = try launcher.teacherPolicy(spec, in: workspace)
        #expect(allowed.provider != nil && allowed.model == "teacher-7b" && allowed.forbiddenBy == nil)
        var ruled = spec
        ruled.posttrainbench = PostTrainBenchSettings(
            rules: .v1_1, taskDirectory: "/task", contaminationChecker: nil, testData: nil, hours: 10)
        let forbidden = try launcher.teacherPolicy(ruled, in: workspace)
        #expect(forbidden.provider == nil && forbidden.forbiddenBy?.contains("rule 9") == true)
        let typo = folder.loadError(Self.yaml() + "teacher:\n  provider: openai\n  modle: x\n")
        #expect("\(typo.map { "\($0)" } ?? "")".contains("teacher.modle"))
    }

    @Test func absolutePathsAreKept() throws {
        let folder = try TaskFolder()
        let base = folder.absolute("models/base")
        let spec = try folder.load(Self.yaml(replacing: "base_model: ../models/base", with: "base_model: \(base)"))
        #expect(spec.baseModel == base)
    }

    @Test(
        "durations in seconds",
        arguments: [
            ("10h", 36_000.0), ("1h30m", 5_400), ("45m", 2_700), ("900s", 900), ("900", 900), ("1d", 86_400),
            ("1.5h", 5_400), (" 2M ", 120),
        ])
    func durations(text: String, seconds: Double) throws {
        #expect(try TaskSpec.seconds(text, field: "budget") == seconds)
    }

    @Test("bad durations name the field", arguments: ["", "ten hours", "10x", "h", "0", "-5m", "10h5", "1h 30m"])
    func badDurations(text: String) throws {
        #expect(throws: TaskSpecError.invalidDuration(field: "reserve", value: text)) {
            try TaskSpec.seconds(text, field: "reserve")
        }
        let message = TaskSpecError.invalidDuration(field: "reserve", value: text).description
        #expect(message.contains("'reserve'"))
        #expect(message.contains("10h, 1h30m, 45m or 900s"))
    }

    @Test func reserveDefaultsToATenthOfTheBudgetAndABadReserveIsNamed() throws {
        let folder = try TaskFolder()
        let spec = try folder.load(Self.yaml(replacing: "reserve: 10m\n"))
        let (total, reserve) = try spec.budgetSeconds()
        #expect(total == 5_400)
        #expect(reserve == 540)
        var broken = spec
        broken.reserve = "soon"
        #expect(throws: TaskSpecError.invalidDuration(field: "reserve", value: "soon")) { try broken.budgetSeconds() }
    }

    @Test func badBudgetInTheFileNamesTheFileAndField() throws {
        let folder = try TaskFolder()
        guard case .invalid(let path, let field, let problem)? =
            folder.loadError(Self.yaml(replacing: "budget: 1h30m", with: "budget: a while"))
        else {
            Issue.record("expected .invalid")
            return
        }
        #expect(path == folder.taskFile)
        #expect(field == "budget")
        #expect(problem.contains("a while"))
    }

    @Test(
        "a missing field, a wrong type or an unknown evaluator names the file and the field",
        arguments: [
            ("template: qwen\n", "", "template"),
            ("  evaluator: local\n", "", "benchmark.evaluator"),
            ("  limit: 20", "  limit: many", "benchmark.limit"),
            ("max_iterations: 2", "max_iterations: [2]", "max_iterations"),
            ("  evaluator: local", "  evaluator: gpu", "benchmark.evaluator"),
        ])
    func decodingErrors(old: String, new: String, field: String) throws {
        let folder = try TaskFolder()
        let error = folder.loadError(Self.yaml(replacing: old, with: new))
        guard case .invalid(let path, let reported, _)? = error else {
            Issue.record("expected .invalid, got \(String(describing: error))")
            return
        }
        #expect(path == folder.taskFile)
        #expect(reported == field)
        let message = try #require(error).description
        #expect(message.contains(folder.taskFile))
        #expect(message.contains("'\(field)'"))
    }

    @Test(
        "a misspelled key is named with the closest known key",
        arguments: [
            ("budget: 1h30m", "budjet: 1h30m", "budjet", "budget"),
            ("  limit: 20", "  limt: 20", "benchmark.limt", "limit"),
            ("  weakness: wrong answers", "  weaknes: wrong answers", "recipe.weaknes", "weakness"),
        ])
    func unknownKeys(old: String, new: String, field: String, suggestion: String) throws {
        let folder = try TaskFolder()
        let error = folder.loadError(Self.yaml(replacing: old, with: new))
        guard case .invalid(let path, let reported, let problem)? = error else {
            Issue.record("expected .invalid, got \(String(describing: error))")
            return
        }
        #expect(path == folder.taskFile)
        #expect(reported == field)
        #expect(problem.contains("did you mean '\(suggestion)'"), "\(problem)")
    }

    @Test func missingFieldSaysItIsRequired() throws {
        let folder = try TaskFolder()
        let error = folder.loadError(Self.yaml(replacing: "template: qwen\n"))
        guard case .invalid(_, "template", let problem)? = error else {
            Issue.record("expected template to be named, got \(String(describing: error))")
            return
        }
        #expect(problem.contains("missing"))
    }

    @Test(
        "missing files name the field",
        arguments: [
            ("file: ../data/bench.jsonl", "file: ../data/absent.jsonl", "benchmark.file"),
            ("base_model: ../models/base", "base_model: ../models/absent", "base_model"),
            ("evaluator: local", "evaluator: inspect", "benchmark.task"),
            ("evaluator: local", "evaluator: posttrainbench", "benchmark.directory"),
        ])
    func missingFiles(old: String, new: String, field: String) throws {
        let folder = try TaskFolder()
        guard case .invalid(let path, let reported, _)? = folder.loadError(Self.yaml(replacing: old, with: new)) else {
            Issue.record("expected .invalid")
            return
        }
        #expect(path == folder.taskFile)
        #expect(reported == field)
    }

    @Test func unreadableFileAndBadYAMLNameTheFile() throws {
        let folder = try TaskFolder()
        let absent = folder.directory.path("tasks/absent.yaml")
        let missing = #expect(throws: TaskSpecError.self) { try TaskSpec.load(from: absent) }
        guard case .unreadable(let path, _)? = missing else {
            Issue.record("expected .unreadable, got \(String(describing: missing))")
            return
        }
        #expect(path == absent.path)

        let error = folder.loadError("name: [unclosed\n")
        guard case .unreadable(let yamlPath, let reason)? = error else {
            Issue.record("expected .unreadable, got \(String(describing: error))")
            return
        }
        #expect(yamlPath == folder.taskFile)
        #expect(reason.contains("YAML"))
    }

    @Test func launcherCreatesARunFolderWithTheTaskDriverBudgetAndIntegrityHashes() throws {
        let folder = try TaskFolder()
        let spec = try folder.load(Self.yaml())
        let launcher = RunLauncher(progress: { _ in })
        let workspace = try launcher.create(
            spec: spec, runsDirectory: folder.directory.path("runs"), runID: "r1", driver: .recipe)
        #expect(workspace.root.lastPathComponent == "r1")
        let manifest = try workspace.readManifest()
        #expect(try manifest.config["spec"]?.decode(as: TaskSpec.self) == spec)
        #expect(try manifest.config["driver"]?.decode(as: RunDriver.self) == .recipe)
        #expect(manifest.budget.totalSeconds == 5_400)
        #expect(manifest.budget.reserveSeconds == 600)
        let integrity = try JSONDecoder().decode(
            IntegrityGuard.self, from: Data(contentsOf: workspace.root.appendingPathComponent("integrity.json")))
        #expect(integrity.violations().isEmpty)
        try folder.directory.write(#"{"id": "1", "prompt": "one", "target": "2"}"# + "\n", to: "data/bench.jsonl")
        #expect(!integrity.violations().isEmpty, "changing the benchmark file must break the recorded hashes")
    }

    @Test func launcherRefusesTheRecipeDriverWithoutARecipe() throws {
        let folder = try TaskFolder()
        var spec = try folder.load(Self.yaml())
        spec.recipe = nil
        let error = #expect(throws: TaskSpecError.self) {
            try RunLauncher(progress: { _ in }).create(
                spec: spec, runsDirectory: folder.directory.path("runs"), runID: "r1", driver: .recipe)
        }
        guard case .invalid(_, "recipe", let problem)? = error else {
            Issue.record("expected the recipe field to be named, got \(String(describing: error))")
            return
        }
        #expect(problem.contains("--provider"))
    }

    @Test func aModelDrivenRunNeedsTheSandboxOrTheExplicitUnsafeFlag() throws {
        let folder = try TaskFolder()
        let spec = try folder.load(Self.yaml())
        let model = RunDriver.model(provider: "openai", model: "m", baseURL: nil)
        let sandboxed = try RunLauncher(progress: { _ in }).create(
            spec: spec, runsDirectory: folder.directory.path("runs"), runID: "safe", driver: model)
        let manifest = try sandboxed.readManifest()
        #expect(try manifest.config["shell"]?.decode(as: ShellOptions.self) == ShellOptions())

        let launcher = RunLauncher(progress: { _ in })
        let error = #expect(throws: TaskSpecError.self) {
            try launcher.shellAccess(sandboxed, manifest: manifest, spec: spec, driver: model, sandbox: nil)
        }
        guard case .invalid(_, "shell", let problem)? = error else {
            Issue.record("expected the shell field to be named, got \(String(describing: error))")
            return
        }
        #expect(problem.contains("apt-get install bubblewrap") && problem.contains("--unsafe-shell"))
        // The recipe never uses the shell: it runs without the sandbox.
        #expect(try launcher.shellAccess(sandboxed, manifest: manifest, spec: spec, driver: .recipe, sandbox: nil)
            == .unsandboxed)
        // A sandbox hides the evaluator's folder and the benchmark file.
        let box = ShellSandbox(bubblewrap: URL(fileURLWithPath: "/usr/bin/bwrap"))
        guard case .sandboxed(_, let hidden, true, _) = try launcher.shellAccess(
            sandboxed, manifest: manifest, spec: spec, driver: model, sandbox: box)
        else {
            Issue.record("expected a sandboxed shell with network")
            return
        }
        #expect(hidden.map(\.lastPathComponent).contains("evaluator"))
        #expect(hidden.contains { $0.path == spec.benchmark.file })

        let unsafe = try RunLauncher(progress: { _ in }, shell: ShellOptions(unsafe: true)).create(
            spec: spec, runsDirectory: folder.directory.path("runs"), runID: "unsafe", driver: model)
        #expect(
            try launcher.shellAccess(
                unsafe, manifest: try unsafe.readManifest(), spec: spec, driver: model, sandbox: box) == .unsandboxed)
    }

    @Test func aModelDrivenRunGetsDefaultSpendCeilingsUnlessTheTaskSetsItsOwn() throws {
        let folder = try TaskFolder()
        var spec = try folder.load(Self.yaml())
        let lines = LinesBox()
        let launcher = RunLauncher(progress: { lines.append($0) })
        let model = RunDriver.model(provider: "openai", model: "m", baseURL: nil)
        let workspace = try launcher.create(
            spec: spec, runsDirectory: folder.directory.path("runs"), runID: "m", driver: model)
        let manifest = try workspace.readManifest()
        let defaults = launcher.modelCeilings(spec: spec, manifest: manifest, driver: model)
        #expect(defaults.usd == RunLauncher.defaultModelCeilings.usd)
        #expect(defaults.tokens == RunLauncher.defaultModelCeilings.tokens)
        #expect(lines.all.contains { $0.contains("Model spend ceiling: $50") })
        #expect(launcher.modelCeilings(spec: spec, manifest: manifest, driver: .recipe) == (nil, nil) as (Double?, Int?))
        spec.maxCostUSD = 3
        spec.maxTokens = 1000
        let own = launcher.modelCeilings(spec: spec, manifest: manifest, driver: model)
        #expect(own.usd == 3 && own.tokens == 1000)
        let decoded = try folder.load(Self.yaml() + "max_cost_usd: 12.5\nmax_tokens: 2000000\n")
        #expect(decoded.maxCostUSD == 12.5 && decoded.maxTokens == 2_000_000)
    }
}

/// Lines a launcher printed.
final class LinesBox: Sendable {
    private let lines = Mutex<[String]>([])
    func append(_ line: String) { lines.withLock { $0.append(line) } }
    var all: [String] { lines.withLock { $0 } }
}
