import Foundation
import Testing

@testable import TrainingBackends

@Suite("LlamaFactory failure diagnosis")
struct LlamaFactoryDiagnosisTests {
    static func lines(_ name: String) throws -> [String] {
        try Fixtures.text("llamafactory-0.9.5/error_cases/\(name).tail.txt").components(separatedBy: "\n")
    }

    /// The real failing runs of LlamaFactory 0.9.5 (the log tails in Fixtures/), with the cause each must get.
    @Test(arguments: [
        ("undefined_dataset", TrainingFailure.Cause.datasetNotRegistered),
        ("wrong_format", .columnMapping),
        ("missing_column", .columnMapping),
        ("bf16_on_cpu", .precisionUnsupported),
        ("ppo_no_rm", .invalidValue),
        ("no_valid_samples", .noValidSamples),
        ("export_nodir", .invalidValue),
        ("no_model", .invalidValue),
        ("export_trainyaml", .unknownKey),
        ("export_adapter_nonlora", .invalidValue),
        ("torchrun_fail", .rankFailure),
        ("missing_model_path", .modelNotFound),
        ("ppo_trl", .unsupportedMethod),
        ("missing_file", .dataFileMissing),
        ("deepspeed_no_torchrun", .versionConflict),
        ("ranking_mismatch", .stageDataMismatch),
        ("bad_stage", .invalidValue),
        ("bad_template", .templateNotFound),
        ("unknown_key", .unknownKey),
        ("yaml_bare_no", .invalidValue),
        ("outdir_not_empty", .outputDirectoryNotEmpty),
        ("multimodal_template_text_model", .templateMismatch),
    ])
    func realFailuresGetTheirCause(name: String, cause: TrainingFailure.Cause) throws {
        let failure = LlamaFactoryDiagnosis.diagnose(lines: try Self.lines(name), exitCode: 1, signal: nil)
        #expect(failure.cause == cause, "\(name): \(failure.message)")
        #expect(!failure.fix.isEmpty)
        #expect(failure.exitCode == 1)
        #expect(!failure.logTail.isEmpty)
    }

    @Test func unknownKeyNamesTheRename() throws {
        let failure = LlamaFactoryDiagnosis.diagnose(lines: try Self.lines("unknown_key"), exitCode: 1, signal: nil)
        #expect(failure.message.contains("['evaluation_strategy']"))
        #expect(failure.fix.contains("renamed `eval_strategy`"))
    }

    @Test func exportWithTrainingKeysSaysToSplitTheConfigs() throws {
        let failure = LlamaFactoryDiagnosis.diagnose(
            lines: try Self.lines("export_trainyaml"), exitCode: 1, signal: nil)
        #expect(failure.fix.contains("separate train and export configs"))
    }

    @Test func theBareNoHintAppearsForBooleanStrategies() throws {
        let failure = LlamaFactoryDiagnosis.diagnose(lines: try Self.lines("yaml_bare_no"), exitCode: 1, signal: nil)
        #expect(failure.fix.contains("quoted string"))
    }

    @Test func rankPrefixesAreStrippedSoTheRanksOwnErrorIsDiagnosed() {
        let lines = [
            "[rank1]: Traceback (most recent call last):",
            "[rank1]: torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB",
            "torch.distributed.elastic.multiprocessing.errors.ChildFailedError:",
        ]
        let failure = LlamaFactoryDiagnosis.diagnose(lines: lines, exitCode: 1, signal: nil)
        #expect(failure.cause == .outOfMemory)
        #expect(failure.message.hasPrefix("torch.OutOfMemoryError"))
    }

    @Test(arguments: [
        ("OSError: [Errno 28] No space left on device", TrainingFailure.Cause.diskFull),
        ("RuntimeError: No CUDA GPUs are available", .cudaNotVisible),
        ("FileNotFoundError: [Errno 2] No such file or directory: 'torchrun'", .distributedLaunch),
        ("ValueError: Please use `FORCE_TORCHRUN=1` to launch DeepSpeed training.", .distributedLaunch),
        (
            "ImportError: transformers>=4.55.0,<=5.6.0 is required for a normal functioning of this module, but "
                + "found transformers==5.7.0.", .versionConflict
        ),
        (
            "RuntimeError: Detected that PyTorch and TorchAudio were compiled with different CUDA versions.",
            .versionConflict
        ),
        ("ValueError: Cannot open /data/dataset_info.json due to str(err).", .datasetRegistryMissing),
    ])
    func otherKnownMessages(line: String, cause: TrainingFailure.Cause) {
        let failure = LlamaFactoryDiagnosis.diagnose(lines: ["some log line", line], exitCode: 1, signal: nil)
        #expect(failure.cause == cause)
    }

    @Test func aSilentKillIsHostOutOfMemory() {
        let failure = LlamaFactoryDiagnosis.diagnose(lines: ["Running tokenizer on dataset"], exitCode: nil, signal: 9)
        #expect(failure.cause == .hostOutOfMemory)
    }

    @Test func anUnrecognisedFailureKeepsItsLastErrorLine() {
        let lines = [
            "Traceback (most recent call last):", "  File \"x.py\", line 1", "ZeroDivisionError: division by zero",
        ]
        let failure = LlamaFactoryDiagnosis.diagnose(lines: lines, exitCode: 1, signal: nil)
        #expect(failure.cause == .unknown)
        #expect(failure.message == "ZeroDivisionError: division by zero")
    }
}
