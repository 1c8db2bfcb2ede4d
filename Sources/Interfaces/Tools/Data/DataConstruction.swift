public import AgentCore
public import DataEngine
public import Foundation

/// The data operations on files, each writing a dataset and its provenance manifest: build from sources, filter,
/// mix. The `data` tool runs them inside an iteration (and records them); `autotrainess data build|filter|mix` runs
/// them on any files.
public struct DataConstruction: Sendable {
    /// Reads the sources of `build`.
    public var sources: SourceReader

    public init(sources: SourceReader = SourceReader()) { self.sources = sources }

    /// The rows each source yields under `selection`, and the manifest's record of each source.
    /// - Throws: ``DatasetBuildError`` naming the source, the line or the field.
    public func selectedRows(of urls: [URL], selection: DataSelection) async throws
        -> (rows: [JSONValue], sources: [DatasetManifest.Source])
    {
        var rows: [JSONValue] = []
        var read: [DatasetManifest.Source] = []
        for url in urls {
            let source = try await sources.read(url, split: selection.split)
            let selected = try selection.apply(source.rows, source: url.lastPathComponent)
            rows += selected
            read.append(
                DatasetManifest.Source(
                    path: url.path, sha256: try DatasetManifest.digest(of: url), kind: source.kind,
                    rowsRead: source.rows.count, rowsSelected: selected.count))
        }
        return (rows, read)
    }

    /// What a build made.
    public struct Built: Sendable {
        public var result: DatasetBuildResult
        public var manifest: DatasetManifest
    }

    /// Reads each source (its selection applied per source), maps the rows and writes `output` with its manifest.
    /// With a `verifier`, a row is kept only when its mapped answer (`mapping.output`, else `chosen`) passes against
    /// the reference read from the same source row; the rest count as dropped (`failed verifier`, `no reference`).
    /// - Throws: ``DatasetBuildError`` naming the source, the line or the field.
    public func build(
        name: String, sources urls: [URL], selection: DataSelection, format: DatasetFormat, mapping: FieldMapping,
        verifier: RowVerifier? = nil, output: URL
    ) async throws -> Built {
        var (inputs, read) = try await selectedRows(of: urls, selection: selection)
        var verified: [String: Int] = [:]
        if let verifier {
            guard let answerTemplate = mapping.output ?? mapping.chosen else {
                throw DatasetBuildError("a verifier checks the mapped answer: give mapping.output (or chosen)")
            }
            inputs = try inputs.filter { row in
                guard let answer = try? DatasetBuilder.resolve(answerTemplate, in: row),
                    let passed = try? verifier.accepts(answer, row: row)
                else {
                    verified["no reference", default: 0] += 1
                    return false
                }
                if !passed { verified["failed verifier", default: 0] += 1 }
                return passed
            }
        }
        var result = try DatasetBuilder(format: format, mapping: mapping).build(rows: inputs, output: output)
        result.skipped.merge(verified) { $0 + $1 }
        var parameters: [String: JSONValue] = ["mapping": try JSONValue(encoding: mapping)]
        if !selection.isEmpty || selection.split != nil { parameters["selection"] = try JSONValue(encoding: selection) }
        if let verifier { parameters["verifier"] = try JSONValue(encoding: verifier) }
        let manifest = DatasetManifest(
            dataset: name, format: format.rawValue,
            operations: [
                DatasetManifest.Operation(
                    action: "build", sources: read, parameters: parameters,
                    rowsIn: inputs.count + verified.values.reduce(0, +), rowsOut: result.rows,
                    dropped: result.skipped)
            ])
        try manifest.write(for: output)
        return Built(result: result, manifest: manifest)
    }

    /// Writes `output` from `source` without the rows `checker` flags for `kinds`; the manifest continues the
    /// source's (when it has one).
    public func filter(
        name: String, source: URL, kinds: Set<String>, cutoffLength: Int, checker: any DatasetChecker,
        verifier: RowVerifier? = nil, output: URL
    ) async throws -> (outcome: DatasetFilter.Outcome, manifest: DatasetManifest) {
        let outcome = try await DatasetFilter(checker: checker, verifier: verifier)
            .filter(source, dropping: kinds, cutoffLength: cutoffLength)
        try DatasetBuilder.write(outcome.kept, to: output)
        var manifest = DatasetManifest.load(for: source)
            ?? DatasetManifest(dataset: source.deletingPathExtension().lastPathComponent, format: outcome.format.rawValue, operations: [])
        manifest.dataset = name
        manifest.validation = nil
        manifest.operations.append(
            DatasetManifest.Operation(
                action: "filter",
                sources: [
                    DatasetManifest.Source(
                        path: source.path, sha256: try DatasetManifest.digest(of: source), kind: "dataset",
                        rowsRead: outcome.rowsIn, rowsSelected: outcome.kept.count)
                ],
                parameters: [
                    "drop": .array(kinds.sorted().map(JSONValue.string)), "cutoffLength": .number(Double(cutoffLength)),
                    "verifier": try verifier.map { try JSONValue(encoding: $0) } ?? .null,
                ].filter { $0.value != .null },
                rowsIn: outcome.rowsIn, rowsOut: outcome.kept.count, dropped: outcome.dropped))
        try manifest.write(for: output)
        return (outcome, manifest)
    }

    /// One input of ``mix(name:parts:total:seed:output:)``.
    public struct MixInput: Sendable {
        public var file: URL
        public var weight: Double?
        public var cap: Int?
        public init(file: URL, weight: Double? = nil, cap: Int? = nil) {
            self.file = file
            self.weight = weight
            self.cap = cap
        }
    }

    /// Writes `output` from seeded samples of the inputs (by weight of `total` rows, or cap), shuffled together.
    /// - Returns: the rows taken from each input, and the manifest (the inputs' steps, then the mix).
    /// - Throws: ``DatasetBuildError`` for inputs of different formats or weights without a total.
    public func mix(name: String, parts: [MixInput], total: Int?, seed: UInt64, output: URL) throws
        -> (taken: [Int], sizes: [Int], manifest: DatasetManifest)
    {
        let inputs = try parts.map { try DatasetBuilder.readRows($0.file) }
        let formats = Set(inputs.map { DataTool.detectFormat($0.first) })
        guard formats.count == 1, let format = formats.first else {
            throw DatasetBuildError("mix needs inputs of one format; these are \(formats.map(\.rawValue).sorted())")
        }
        let plan = try DatasetMix.plan(
            parts: parts.map { ($0.file.lastPathComponent, $0.weight, $0.cap) }, sizes: inputs.map(\.count), total: total)
        var generator = SplitMix64(seed: seed)
        var mixed: [JSONValue] = []
        for (rows, count) in zip(inputs, plan) { mixed += Array(rows.shuffled(using: &generator).prefix(count)) }
        mixed.shuffle(using: &generator)
        try DatasetBuilder.write(mixed, to: output)
        let sources = try zip(parts, zip(inputs, plan)).map { part, input in
            DatasetManifest.Source(
                path: part.file.path, sha256: try DatasetManifest.digest(of: part.file), kind: "dataset",
                rowsRead: input.0.count, rowsSelected: input.1)
        }
        let weights = parts.map { part -> JSONValue in
            ["file": .string(part.file.lastPathComponent), "weight": part.weight.map(JSONValue.number) ?? .null,
             "cap": part.cap.map { .number(Double($0)) } ?? .null]
        }
        let manifest = DatasetManifest(
            dataset: name, format: format.rawValue,
            operations: parts.flatMap { DatasetManifest.load(for: $0.file)?.operations ?? [] } + [
                DatasetManifest.Operation(
                    action: "mix", sources: sources,
                    parameters: [
                        "parts": .array(weights), "seed": .number(Double(seed)),
                        "total": total.map { .number(Double($0)) } ?? .null,
                    ],
                    rowsIn: inputs.reduce(0) { $0 + $1.count }, rowsOut: mixed.count)
            ])
        try manifest.write(for: output)
        return (plan, inputs.map(\.count), manifest)
    }
}
