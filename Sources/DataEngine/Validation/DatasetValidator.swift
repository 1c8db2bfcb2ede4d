public import Foundation

/// Checks a training set in one of LlamaFactory's shapes before it is trained on.
///
/// Each record is checked for readable UTF-8 and JSON, its schema and roles, empty or whitespace-only text,
/// its length against the cutoff, and for exact and near duplicates of earlier records. Near duplicates are judged on
/// what varies between records: words that most records share (a fixed instruction, a template around a short item)
/// are left out of the comparison, so templated data of distinct items passes while the same item worded twice does
/// not. Problems are findings in the report, with their line; only an unreadable file throws.
///
/// ```swift
/// let report = try DatasetValidator(options: .init(cutoffLength: 1024))
///     .validate(file: URL(filePath: "train.jsonl"), format: .alpaca)
/// for finding in report.findings { print("\(report.file):\(finding.line ?? 0): \(finding.message)") }
/// ```
public struct DatasetValidator: Sendable {
    /// The checks' settings.
    public let options: ValidationOptions

    /// Creates a validator.
    public init(options: ValidationOptions = .init()) {
        self.options = options
    }

    /// Validates a JSON Lines file or a JSON array file.
    /// - Parameters:
    ///   - file: the dataset.
    ///   - format: the shape its records must have.
    /// - Returns: the findings, counted by kind.
    /// - Throws: ``DataEngineError/fileNotReadable(path:reason:)`` when the file cannot be opened or read, or
    ///   what the token counter throws.
    public func validate(file: URL, format: DatasetFormat) throws -> ValidationReport {
        var run = ValidationRun(options: options, format: format)
        run.templateTokens = try Self.templateTokens(in: file, share: options.templateShare)
        try DatasetRecords.forEach(in: file) { record in
            switch record {
            case .brokenArray(let line):
                run.sampleCount += 1
                run.add(.unreadableLine, line: line, "the JSON array is broken here: the rest of the file is unread")
            case .record(let line, let bytes):
                try run.check(bytes, line: line)
            }
        }
        if run.sampleCount == 0 { run.add(.emptyDataset, line: nil, "the file holds no samples") }
        return ValidationReport(
            file: file.path, format: format, sampleCount: run.sampleCount, findings: run.findings, counts: run.counts)
    }
}

extension DatasetValidator {
    /// The normalized words that more than `share` of the records contain (at least 10 records): the shared template.
    static func templateTokens(in file: URL, share: Double) throws -> Set<UInt64> {
        var frequency: [UInt64: Int] = [:]
        var records = 0
        try DatasetRecords.forEach(in: file) { record in
            guard case .record(_, let bytes) = record else { return }
            var collector = TokenCollector()
            guard JSONByteScanner.scanDocument(bytes, into: &collector) else { return }
            collector.flush()
            records += 1
            for token in Set(collector.tokens.map(TextNormalization.tokenHash)) { frequency[token, default: 0] += 1 }
        }
        guard records >= 10 else { return [] }
        return Set(frequency.filter { Double($0.value) > share * Double(records) }.keys)
    }
}

/// The state of one validation.
private struct ValidationRun {
    static let userRoles: Set<String> = ["human", "user", "observation", "tool"]
    static let assistantRoles: Set<String> = ["gpt", "assistant", "function_call"]

    let options: ValidationOptions
    let format: DatasetFormat
    var sampleCount = 0
    var findings: [ValidationFinding] = []
    var counts: [ValidationFinding.Kind: Int] = [:]
    var deduplicator: MinHashDeduplicator
    /// Words most records share; near duplicates are judged without them.
    var templateTokens: Set<UInt64> = []

    init(options: ValidationOptions, format: DatasetFormat) {
        self.options = options
        self.format = format
        deduplicator = MinHashDeduplicator(shingleSize: options.shingleSize, threshold: options.nearDuplicateThreshold)
    }

    mutating func add(
        _ kind: ValidationFinding.Kind, line: Int?, field: String? = nil, _ message: String, relatedLine: Int? = nil
    ) {
        counts[kind, default: 0] += 1
        guard findings.count < options.maximumFindings else { return }
        findings.append(
            ValidationFinding(kind: kind, line: line, field: field, message: message, relatedLine: relatedLine))
    }

    mutating func check(_ bytes: UnsafeBufferPointer<UInt8>, line: Int) throws {
        sampleCount += 1
        guard String(validating: bytes, as: UTF8.self) != nil else {
            add(.invalidUTF8, line: line, "the line is not valid UTF-8; re-encode the file as UTF-8")
            return
        }
        var discard = DiscardingTextSink()
        guard JSONByteScanner.scanDocument(bytes, into: &discard),
            let value = try? JSONSerialization.jsonObject(with: Data(buffer: bytes), options: .fragmentsAllowed)
        else {
            add(.unreadableLine, line: line, "the line is not valid JSON; fix or remove it")
            return
        }
        guard let object = value as? [String: Any] else {
            add(.notAnObject, line: line, "the record is not a JSON object")
            return
        }
        let before = counts.values.reduce(0, +)
        switch format {
        case .alpaca: checkAlpaca(object, line: line)
        case .sharegpt: checkConversation(object, line: line, endsWithAssistant: true)
        case .preference: checkPreference(object, line: line)
        }
        guard counts.values.reduce(0, +) == before else { return }
        try checkLength(object, line: line)
        checkDuplicates(bytes, line: line)
    }

    private mutating func checkAlpaca(_ object: [String: Any], line: Int) {
        requireText(object, "instruction", line: line)
        optionalText(object, "input", line: line)
        requireText(object, "output", line: line)
        optionalText(object, "system", line: line)
        checkHistory(object, line: line)
    }

    private mutating func checkPreference(_ object: [String: Any], line: Int) {
        if object["conversations"] != nil || object["messages"] != nil {
            checkConversation(object, line: line, endsWithAssistant: false)
        } else {
            requireText(object, "instruction", line: line)
            optionalText(object, "input", line: line)
        }
        let chosen = answerText(object, "chosen", line: line)
        let rejected = answerText(object, "rejected", line: line)
        if let chosen, let rejected, chosen == rejected {
            add(
                .identicalPair, line: line, field: "chosen",
                "chosen and rejected are the same text; the pair teaches nothing")
        }
    }

    /// Checks `conversations` (or `messages`): known roles, user and assistant turns alternating after an
    /// optional leading system turn, and (for SFT) ending with an assistant turn.
    private mutating func checkConversation(_ object: [String: Any], line: Int, endsWithAssistant: Bool) {
        let key = object["conversations"] != nil ? "conversations" : "messages"
        guard let raw = object[key] else {
            add(.missingField, line: line, field: "conversations", "\"conversations\" is missing")
            return
        }
        guard let messages = raw as? [Any] else {
            add(.wrongType, line: line, field: key, "\"\(key)\" must be an array of messages")
            return
        }
        guard !messages.isEmpty else {
            add(.emptyField, line: line, field: key, "\"\(key)\" has no messages")
            return
        }
        optionalText(object, "system", line: line)
        var expectUser = true
        for (position, element) in messages.enumerated() {
            guard let message = element as? [String: Any] else {
                add(.wrongType, line: line, field: "\(key)[\(position)]", "message \(position) is not an object")
                return
            }
            let roleKey = message["from"] != nil ? "from" : "role"
            let textKey = message["value"] != nil ? "value" : "content"
            guard let role = message[roleKey] as? String else {
                add(
                    .missingField, line: line, field: "\(key)[\(position)].from",
                    "message \(position) has no role (\"from\")")
                return
            }
            checkText(message[textKey], field: "\(key)[\(position)].\(textKey)", line: line, required: true)
            if role == "system", position == 0 { continue }
            let isUser = Self.userRoles.contains(role)
            guard isUser || Self.assistantRoles.contains(role) else {
                add(
                    .invalidRole, line: line, field: "\(key)[\(position)].\(roleKey)",
                    "message \(position) has the unknown role \"\(role)\"; use human/gpt (or user/assistant)")
                return
            }
            guard isUser == expectUser else {
                let wanted = expectUser ? "a user turn (human, observation)" : "an assistant turn (gpt, function_call)"
                add(
                    .invalidRole, line: line, field: "\(key)[\(position)].\(roleKey)",
                    "message \(position) has role \"\(role)\" where \(wanted) is expected; turns must alternate")
                return
            }
            expectUser.toggle()
        }
        if endsWithAssistant, !expectUser {
            add(
                .invalidRole, line: line, field: key,
                "the conversation ends with a user turn; end it with an assistant turn")
        } else if !endsWithAssistant, expectUser {
            add(
                .invalidRole, line: line, field: key,
                "a preference conversation must end with a user turn; chosen and rejected are the assistant's answer")
        }
    }

    private mutating func checkHistory(_ object: [String: Any], line: Int) {
        guard let raw = object["history"] else { return }
        guard let history = raw as? [Any] else {
            add(
                .wrongType, line: line, field: "history",
                "\"history\" must be an array of [instruction, response] pairs")
            return
        }
        for (position, element) in history.enumerated() {
            guard let pair = element as? [Any], pair.count == 2, pair.allSatisfy({ $0 is String }) else {
                add(
                    .wrongType, line: line, field: "history[\(position)]",
                    "history entry \(position) must be two strings")
                return
            }
        }
    }

    /// The text of `chosen`/`rejected` (a string or a message object), reporting what is wrong with it.
    private mutating func answerText(_ object: [String: Any], _ field: String, line: Int) -> String? {
        guard let raw = object[field] else {
            add(
                .missingField, line: line, field: field,
                "\"\(field)\" is missing; preference data needs chosen and rejected")
            return nil
        }
        if let message = raw as? [String: Any] {
            let text = message["value"] ?? message["content"]
            return checkText(text, field: "\(field).value", line: line, required: true)
        }
        return checkText(raw, field: field, line: line, required: true)
    }

    private mutating func requireText(_ object: [String: Any], _ field: String, line: Int) {
        checkText(object[field], field: field, line: line, required: true)
    }

    private mutating func optionalText(_ object: [String: Any], _ field: String, line: Int) {
        guard let value = object[field] else { return }
        guard value is String else {
            add(.wrongType, line: line, field: field, "\"\(field)\" must be a string")
            return
        }
    }

    @discardableResult
    private mutating func checkText(_ value: Any?, field: String, line: Int, required: Bool) -> String? {
        guard let value else {
            if required { add(.missingField, line: line, field: field, "\"\(field)\" is missing") }
            return nil
        }
        guard let text = value as? String else {
            add(.wrongType, line: line, field: field, "\"\(field)\" must be a string")
            return nil
        }
        if text.allSatisfy(\.isWhitespace) {
            add(.emptyField, line: line, field: field, "\"\(field)\" is empty or only whitespace")
            return nil
        }
        return text
    }

    private mutating func checkLength(_ object: [String: Any], line: Int) throws {
        guard let cutoff = options.cutoffLength else { return }
        let text = JSONStrings.all(in: object).joined(separator: "\n")
        let tokens = try options.tokenCounter.tokenCount(of: text)
        if tokens > cutoff {
            add(
                .overLength, line: line,
                "the sample has about \(tokens) tokens, more than the cutoff of \(cutoff); it would be truncated")
        }
    }

    private mutating func checkDuplicates(_ bytes: UnsafeBufferPointer<UInt8>, line: Int) {
        var collector = TokenCollector()
        guard JSONByteScanner.scanDocument(bytes, into: &collector) else { return }
        collector.flush()
        let hashes = collector.tokens.map(TextNormalization.tokenHash)
        let varying = templateTokens.isEmpty ? nil : hashes.filter { !templateTokens.contains($0) }
        switch deduplicator.check(hashes, varying: varying, line: line) {
        case .unique:
            break
        case .exact(let earlier):
            add(
                .exactDuplicate, line: line, "the sample repeats line \(earlier) (after normalization)",
                relatedLine: earlier)
        case .near(let earlier, let similarity):
            add(
                .nearDuplicate, line: line,
                "the sample nearly repeats line \(earlier) (estimated similarity \(Int(similarity * 100))% of the words "
                    + "that vary between samples)",
                relatedLine: earlier)
        }
    }
}
