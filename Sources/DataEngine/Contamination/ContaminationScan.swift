import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// One scan of a training file: JSON Lines are cut into fixed-size byte blocks that workers claim in order
/// and read with `pread`; each block owns the lines that start inside it and counts its line breaks, so that
/// line numbers are fixed up once all blocks are done.
struct ContaminationScan: Sendable {
    /// Bytes per block: large enough to amortize the reads, small enough to keep memory flat.
    static let defaultBlockSize = 4 << 20
    /// Items with fewer distinctive shingles than this are not checked for near-duplicates.
    static let minimumDistinctiveShingles = 3

    let index: ContaminationIndex
    let blockSize: Int

    func run(trainingFile: URL) throws -> ContaminationReport {
        let started = ContinuousClock.now
        let probe = try ReadOnlyFile(url: trainingFile)
        var outputs: [WorkerOutput]
        var blockNewlines: [Int]
        if try probe.firstSignificantByte() == UInt8(ascii: "[") {
            var worker = ScanWorker(index: index)
            try worker.withSink { sink in
                try DatasetRecords.forEach(in: trainingFile) { record in
                    switch record {
                    case .record(let line, let bytes): worker.processSample(bytes, block: 0, localLine: line - 1, &sink)
                    case .brokenArray(let line):
                        worker.output.recordMalformed(block: 0, localLine: line - 1, cap: worker.cap)
                    }
                }
            }
            outputs = [worker.output]
            blockNewlines = [0]
        } else {
            (outputs, blockNewlines) = try scanLines(trainingFile, size: probe.size)
        }
        let shortHits = index.shortItems.isEmpty
            ? [] : try index.shortItems.scan(trainingFile: trainingFile, benchmark: index.items)
        return assemble(
            outputs, shortHits: shortHits, blockNewlines: blockNewlines, file: trainingFile, size: probe.size,
            since: started)
    }

    private func scanLines(_ url: URL, size: Int) throws -> ([WorkerOutput], [Int]) {
        let blockCount = (size + blockSize - 1) / blockSize
        let workerCount = max(1, min(index.options.workers ?? ProcessInfo.processInfo.activeProcessorCount, blockCount))
        let shared = SharedScanState(blockCount: blockCount)
        DispatchQueue.concurrentPerform(iterations: workerCount) { _ in
            do {
                let file = try ReadOnlyFile(url: url)
                var worker = ScanWorker(index: index)
                var buffer: [UInt8] = []
                var newlines: [(block: Int, count: Int)] = []
                try worker.withSink { sink in
                    while true {
                        let block = shared.nextBlock.wrappingAdd(1, ordering: .relaxed).oldValue
                        guard block < blockCount, !shared.failed.load(ordering: .relaxed) else { return }
                        let count = try scanBlock(block, file: file, buffer: &buffer, worker: &worker, sink: &sink)
                        newlines.append((block, count))
                    }
                }
                shared.finish(worker.output, newlines: newlines)
            } catch {
                shared.fail(error)
            }
        }
        return try shared.results()
    }

    /// Scans the lines that start in `block`; returns the number of line breaks inside the block's bytes.
    private func scanBlock(
        _ block: Int, file: ReadOnlyFile, buffer: inout [UInt8], worker: inout ScanWorker, sink: inout ScanSink
    ) throws -> Int {
        let blockStart = block * blockSize
        let blockEnd = min(file.size, blockStart + blockSize)
        let readStart = max(0, blockStart - 1)
        let length = blockEnd - readStart
        var filled = try file.read(into: &buffer, at: 0, offset: readStart, count: length)
        var newlines = 0
        var position = 0
        if blockStart > 0 {
            guard let first = Self.newline(in: buffer, from: 0, to: filled) else { return 0 }
            if first >= 1 { newlines += 1 }
            position = first + 1
        }
        while position < min(length, filled) {
            var end = Self.newline(in: buffer, from: position, to: filled)
            while end == nil {
                let got = try file.read(into: &buffer, at: filled, offset: readStart + filled, count: 1 << 20)
                if got == 0 { break }
                end = Self.newline(in: buffer, from: filled, to: filled + got)
                filled += got
            }
            let lineEnd = end ?? filled
            let localLine = newlines
            buffer.withUnsafeBufferPointer { all in
                var stop = lineEnd
                if stop > position, all[stop - 1] == 0x0D { stop -= 1 }
                let line = UnsafeBufferPointer(rebasing: all[position..<stop])
                if line.contains(where: { $0 != 0x20 && $0 != 0x09 }) {
                    worker.processSample(line, block: block, localLine: localLine, &sink)
                }
            }
            if let end, end < length { newlines += 1 }
            position = lineEnd + 1
        }
        return newlines
    }

    private static func newline(in buffer: [UInt8], from start: Int, to end: Int) -> Int? {
        guard start < end else { return nil }
        return buffer.withUnsafeBytes { raw -> Int? in
            guard let found = memchr(raw.baseAddress! + start, 0x0A, end - start) else { return nil }
            return UnsafeRawPointer(found) - raw.baseAddress!
        }
    }

    /// The report: the workers' hits with their lines made global, and the short-item hits of pairs the main scan
    /// did not already find (short-item samples are counted as contaminated when no main hit named them).
    private func assemble(
        _ outputs: [WorkerOutput], shortHits: [ContaminationHit], blockNewlines: [Int], file: URL, size: Int,
        since started: ContinuousClock.Instant
    ) -> ContaminationReport {
        var lineBase = [Int](repeating: 0, count: blockNewlines.count + 1)
        for (block, count) in blockNewlines.enumerated() { lineBase[block + 1] = lineBase[block] + count }
        let cap = index.options.maximumReportedHits
        let mainHits = outputs.flatMap(\.hits).map { raw in
            var hit = raw.hit
            hit.trainingLine = lineBase[raw.block] + raw.localLine + 1
            return hit
        }
        let pairs = Set(mainHits.map { "\($0.trainingLine) \($0.benchmarkLine)" })
        let mainLines = Set(mainHits.map(\.trainingLine))
        let newShortHits = shortHits.filter { !pairs.contains("\($0.trainingLine) \($0.benchmarkLine)") }
        let newShortLines = Set(newShortHits.map(\.trainingLine)).subtracting(mainLines)
        let hits = (mainHits + newShortHits)
            .sorted { ($0.trainingLine, $0.benchmarkLine) < ($1.trainingLine, $1.benchmarkLine) }
        let malformed = outputs.flatMap(\.malformed).map { lineBase[$0.block] + $0.localLine + 1 }.sorted()
        let elapsed = ContinuousClock.now - started
        return ContaminationReport(
            trainingFile: file.path,
            benchmarkFile: index.benchmarkFile,
            scannedSamples: outputs.reduce(0) { $0 + $1.samples },
            scannedBytes: size,
            malformedLineCount: outputs.reduce(0) { $0 + $1.malformedCount },
            malformedLines: Array(malformed.prefix(cap)),
            contaminatedSamples: outputs.reduce(0) { $0 + $1.contaminatedSamples } + newShortLines.count,
            hitCount: outputs.reduce(0) { $0 + $1.hitCount } + newShortHits.count,
            hits: Array(hits.prefix(cap)),
            maximumScore: (outputs.map(\.maximumScore) + newShortHits.map(\.score)).max() ?? 0,
            blockingScore: index.options.blockingScore,
            seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        )
    }
}

/// State the workers of one scan share.
private final class SharedScanState: Sendable {
    let nextBlock = Atomic<Int>(0)
    let failed = Atomic<Bool>(false)
    private let blockCount: Int
    private let state = Mutex<(outputs: [WorkerOutput], newlines: [Int], error: (any Error)?)>(([], [], nil))

    init(blockCount: Int) {
        self.blockCount = blockCount
        state.withLock { $0.newlines = [Int](repeating: 0, count: blockCount) }
    }

    func finish(_ output: WorkerOutput, newlines: [(block: Int, count: Int)]) {
        state.withLock { state in
            state.outputs.append(output)
            for (block, count) in newlines { state.newlines[block] = count }
        }
    }

    func fail(_ error: any Error) {
        failed.store(true, ordering: .relaxed)
        state.withLock { state in if state.error == nil { state.error = error } }
    }

    func results() throws -> ([WorkerOutput], [Int]) {
        try state.withLock { state in
            if let error = state.error { throw error }
            return (state.outputs, state.newlines)
        }
    }
}

/// A hit whose line is still relative to its block.
struct BlockHit: Sendable {
    var block: Int
    var localLine: Int
    var hit: ContaminationHit
}

/// What one worker found.
struct WorkerOutput: Sendable {
    var samples = 0
    var malformedCount = 0
    var malformed: [(block: Int, localLine: Int)] = []
    var hits: [BlockHit] = []
    var hitCount = 0
    var contaminatedSamples = 0
    var maximumScore = 0.0

    mutating func recordMalformed(block: Int, localLine: Int, cap: Int) {
        malformedCount += 1
        if malformed.count < cap { malformed.append((block, localLine)) }
    }
}

/// The per-worker part of a scan: it runs the byte scanner over samples and resolves candidate hashes.
struct ScanWorker {
    let index: ContaminationIndex
    let cap: Int
    var output = WorkerOutput()
    /// Candidates that a table holds: item, kind (0 exact, 1 n-gram, 2 shingle) and hash; reused per sample.
    private var found: [(item: Int32, kind: UInt8, hash: UInt64)] = []

    init(index: ContaminationIndex) {
        self.index = index
        cap = index.options.maximumReportedHits
    }

    /// Runs `body` with a sink whose pointers stay valid for the call.
    func withSink(_ body: (inout ScanSink) throws -> Void) throws {
        let buffers = UnsafeMutablePointer<UInt64>.allocate(capacity: ScanSink.bufferWords)
        defer { buffers.deallocate() }
        try TextNormalization.tokenByte.withUnsafeBufferPointer { table in
            try TextNormalization.stringTokenByte.withUnsafeBufferPointer { stringTable in
                try index.ngrams.filter.withUnsafeBufferPointer { ngramFilter in
                    try index.shingles.filter.withUnsafeBufferPointer { shingleFilter in
                        var sink = ScanSink(
                            tokenTable: table.baseAddress!, stringTable: stringTable.baseAddress!, buffers: buffers,
                            options: index.options, ngramFilter: ngramFilter.baseAddress!,
                            ngramShift: index.ngrams.filterShift, shingleFilter: shingleFilter.baseAddress!,
                            shingleShift: index.shingles.filterShift, checksShingles: index.shingles.count > 0)
                        try body(&sink)
                    }
                }
            }
        }
    }

    /// Scans one sample's bytes and records its hits or its malformation.
    mutating func processSample(_ bytes: UnsafeBufferPointer<UInt8>, block: Int, localLine: Int, _ sink: inout ScanSink)
    {
        output.samples += 1
        sink.beginSample()
        guard JSONByteScanner.scanDocument(bytes, into: &sink) else {
            output.recordMalformed(block: block, localLine: localLine, cap: cap)
            return
        }
        sink.finishSample()
        guard !sink.ngramCandidates.isEmpty || !sink.shingleCandidates.isEmpty || !sink.exactCandidates.isEmpty
        else { return }
        let hits = resolve(sink)
        guard !hits.isEmpty else { return }
        output.contaminatedSamples += 1
        output.hitCount += hits.count
        for (item, kind, score) in hits {
            output.maximumScore = max(output.maximumScore, score)
            guard output.hits.count < cap else { continue }
            let benchmarkItem = index.items[Int(item)]
            let hit = ContaminationHit(
                trainingLine: 0, benchmarkItemID: benchmarkItem.id, benchmarkLine: benchmarkItem.line, kind: kind,
                overlap: OverlapFinder(index: index).overlap(in: bytes, item: item, kind: kind), score: score)
            output.hits.append(BlockHit(block: block, localLine: localLine, hit: hit))
        }
    }

    /// Turns the hashes that passed the filters into (item, kind, score) hits, strongest kind per item.
    /// Most candidates are filter false positives that no table holds: those leave without allocating.
    private mutating func resolve(_ sink: ScanSink) -> [(Int32, ContaminationKind, Double)] {
        found.removeAll(keepingCapacity: true)
        for hash in sink.exactCandidates {
            if let item = index.exact.value(for: hash) { found.append((item, 0, hash)) }
        }
        for hash in sink.ngramCandidates {
            if let item = index.ngrams.value(for: hash) { found.append((item, 1, hash)) }
        }
        for hash in sink.shingleCandidates {
            if let item = index.shingles.value(for: hash) { found.append((item, 2, hash)) }
        }
        guard !found.isEmpty else { return [] }
        var hits: [(Int32, ContaminationKind, Double)] = []
        for group in Dictionary(grouping: found, by: \.item).sorted(by: { $0.key < $1.key }) {
            let item = index.items[Int(group.key)]
            let ngrams = Set(group.value.lazy.filter { $0.kind == 1 }.map(\.hash)).count
            let shingles = Set(group.value.lazy.filter { $0.kind == 2 }.map(\.hash)).count
            if group.value.contains(where: { $0.kind == 0 }) {
                hits.append((group.key, .exact, 1))
            } else if ngrams > 0 {
                hits.append((group.key, .ngram, min(1, Double(ngrams) / Double(max(1, item.ngramCount)))))
            } else if item.uniqueShingleCount >= ContaminationScan.minimumDistinctiveShingles {
                let share = Double(shingles) / Double(item.uniqueShingleCount)
                if share >= index.options.nearDuplicateThreshold {
                    hits.append((group.key, .nearDuplicate, min(1, share)))
                }
            }
        }
        return hits
    }
}

/// The hot loop: normalizes the bytes of string values into tokens and rolls n-gram and shingle hashes over
/// them into per-sample buffers; ``finishSample()`` then probes the index's filters for the whole batch at once,
/// so that the cache misses of many probes overlap instead of stalling the tokenizer one by one.
struct ScanSink: JSONTextSink {
    /// Ring of recent token hashes; a power of two above the largest window (64).
    static let ringSize = 128
    /// Window hashes buffered before the filters are probed.
    static let batchSize = 4096

    let tokenTable: UnsafePointer<UInt8>
    let stringTable: UnsafePointer<UInt8>
    let ring: UnsafeMutablePointer<UInt64>
    let ngramBatch: UnsafeMutablePointer<UInt64>
    let shingleBatch: UnsafeMutablePointer<UInt64>
    let ngramFilter: UnsafePointer<UInt64>
    let ngramShift: UInt64
    let shingleFilter: UnsafePointer<UInt64>
    let shingleShift: UInt64
    let ngramSize: Int
    let shingleSize: Int
    let ngramPower: UInt64
    let shinglePower: UInt64
    let minimumExactTokens: Int
    /// Whether any item is short enough to need the near-duplicate shingles (skips their hashing if not).
    let checksShingles: Bool

    var chunkHash: UInt64 = 0
    var chunkWord: UInt64 = 0
    var tokenLength = 0
    var tokenCount = 0
    var ngramHash: UInt64 = 0
    var shingleHash: UInt64 = 0
    var ngramBatchCount = 0
    var shingleBatchCount = 0
    var valueHash: UInt64 = 0
    var valueTokens = 0
    var sampleHash: UInt64 = 0
    var ngramCandidates: [UInt64] = []
    var shingleCandidates: [UInt64] = []
    var exactCandidates: [UInt64] = []

    init(
        tokenTable: UnsafePointer<UInt8>, stringTable: UnsafePointer<UInt8>, buffers: UnsafeMutablePointer<UInt64>,
        options: ContaminationOptions,
        ngramFilter: UnsafePointer<UInt64>, ngramShift: UInt64, shingleFilter: UnsafePointer<UInt64>,
        shingleShift: UInt64, checksShingles: Bool
    ) {
        self.tokenTable = tokenTable
        self.stringTable = stringTable
        ring = buffers
        ngramBatch = buffers + Self.ringSize
        shingleBatch = buffers + Self.ringSize + Self.batchSize
        self.ngramFilter = ngramFilter
        self.ngramShift = ngramShift
        self.shingleFilter = shingleFilter
        self.shingleShift = shingleShift
        self.checksShingles = checksShingles
        ngramSize = options.ngramSize
        shingleSize = options.shingleSize
        ngramPower = TextNormalization.basePower(options.ngramSize)
        shinglePower = TextNormalization.basePower(options.shingleSize)
        minimumExactTokens = options.minimumExactTokens
    }

    /// Words the caller allocates for the `buffers` of the initializer.
    static let bufferWords = ringSize + 2 * batchSize

    mutating func beginSample() {
        chunkHash = 0
        chunkWord = 0
        tokenLength = 0
        tokenCount = 0
        ngramHash = 0
        shingleHash = 0
        ngramBatchCount = 0
        shingleBatchCount = 0
        valueHash = 0
        valueTokens = 0
        sampleHash = 0
        ngramCandidates.removeAll(keepingCapacity: true)
        shingleCandidates.removeAll(keepingCapacity: true)
        exactCandidates.removeAll(keepingCapacity: true)
    }

    @inline(__always)
    mutating func text(_ bytes: UnsafeBufferPointer<UInt8>) {
        var hash = chunkHash
        var word = chunkWord
        var length = tokenLength
        for byte in bytes {
            let normalized = tokenTable[Int(byte)]
            if normalized != 0 {
                word |= UInt64(normalized) << UInt64((length & 7) << 3)
                length += 1
                if length & 7 == 0 {
                    hash = (hash ^ word) &* TextNormalization.chunkMultiplier
                    word = 0
                }
            } else if length > 0 {
                endToken(TextNormalization.finishToken(hash: hash, word: word, length: length))
                hash = 0
                word = 0
                length = 0
            }
        }
        chunkHash = hash
        chunkWord = word
        tokenLength = length
    }

    @inline(__always)
    mutating func endOfString() {
        if tokenLength > 0 {
            endToken(TextNormalization.finishToken(hash: chunkHash, word: chunkWord, length: tokenLength))
            chunkHash = 0
            chunkWord = 0
            tokenLength = 0
        }
        if valueTokens >= minimumExactTokens {
            exactCandidates.append(TextNormalization.finish(valueHash ^ UInt64(valueTokens)))
        }
        valueHash = 0
        valueTokens = 0
    }

    /// The fused loop: one table lookup per byte both finds the end of the plain text and tokenizes it.
    @inline(__always)
    mutating func consumeText(_ base: UnsafePointer<UInt8>, from start: Int, to end: Int) -> Int {
        var hash = chunkHash
        var word = chunkWord
        var length = tokenLength
        var index = start
        while index < end {
            let normalized = stringTable[Int(base[index])]
            if normalized > 1 {
                word |= UInt64(normalized) << UInt64((length & 7) << 3)
                length += 1
                if length & 7 == 0 {
                    hash = (hash ^ word) &* TextNormalization.chunkMultiplier
                    word = 0
                }
            } else {
                if length > 0 {
                    endToken(TextNormalization.finishToken(hash: hash, word: word, length: length))
                    hash = 0
                    word = 0
                    length = 0
                }
                if normalized == 1 { break }
            }
            index += 1
        }
        chunkHash = hash
        chunkWord = word
        tokenLength = length
        return index
    }

    /// Probes the filters for the buffered windows and adds the whole sample as an exact-match candidate.
    mutating func finishSample() {
        probe()
        if tokenCount >= minimumExactTokens {
            exactCandidates.append(TextNormalization.finish(sampleHash ^ UInt64(tokenCount)))
        }
    }

    /// Keeps the buffered window hashes that pass the filters (no false negatives) as candidates.
    private mutating func probe() {
        for index in 0..<ngramBatchCount
        where HashTable64.passes(ngramBatch[index], filter: ngramFilter, shift: ngramShift) {
            ngramCandidates.append(ngramBatch[index])
        }
        for index in 0..<shingleBatchCount
        where HashTable64.passes(shingleBatch[index], filter: shingleFilter, shift: shingleShift) {
            shingleCandidates.append(shingleBatch[index])
        }
        ngramBatchCount = 0
        shingleBatchCount = 0
    }

    @inline(__always)
    private mutating func endToken(_ token: UInt64) {
        ring[tokenCount & (Self.ringSize - 1)] = token
        tokenCount += 1
        ngramHash = ngramHash &* TextNormalization.rollingBase &+ token
        if tokenCount > ngramSize {
            ngramHash &-= ring[(tokenCount - 1 - ngramSize) & (Self.ringSize - 1)] &* ngramPower
        }
        if tokenCount >= ngramSize {
            ngramBatch[ngramBatchCount] = ngramHash
            ngramBatchCount += 1
        }
        if checksShingles {
            shingleHash = shingleHash &* TextNormalization.rollingBase &+ token
            if tokenCount > shingleSize {
                shingleHash &-= ring[(tokenCount - 1 - shingleSize) & (Self.ringSize - 1)] &* shinglePower
            }
            if tokenCount >= shingleSize {
                shingleBatch[shingleBatchCount] = shingleHash
                shingleBatchCount += 1
            }
        }
        if ngramBatchCount == Self.batchSize || shingleBatchCount == Self.batchSize { probe() }
        valueHash = valueHash &* TextNormalization.sequenceBase &+ token
        valueTokens += 1
        sampleHash = sampleHash &* TextNormalization.sequenceBase &+ token
    }
}
