import AgentCore
import AgentTesting
import Evaluation
import Foundation
import Interfaces
import Synchronization
import Testing
import TrainingBackends
import Workflows

@Suite("BudgetClock")
struct BudgetClockTests {
    private func makeClock(hours: Double = 1, reserveMinutes: Double = 30, gpuHours: Double? = nil)
        -> (BudgetClock, ManualClock)
    {
        let time = ManualClock()
        let limits = BudgetLimits(
            deadline: time.now().addingTimeInterval(hours * 3600), finalReserve: reserveMinutes * 60,
            gpuHours: gpuHours, tokens: 10_000, usd: 2)
        return (BudgetClock(limits: limits, clock: time), time)
    }

    @Test func jobForecastBeyondTheReserveIsRefused() async {
        let (budget, time) = makeClock()
        guard case .refused(let reason) = await budget.admit(JobForecast(kind: .training, seconds: 40 * 60)) else {
            Issue.record("a 40-minute job cannot fit in 30 minutes before the reserve")
            return
        }
        #expect(reason.contains("40m") && reason.contains("30m"))
        let deadline = time.now().addingTimeInterval(30 * 60)
        #expect(await budget.admit(JobForecast(kind: .training, seconds: 20 * 60)) == .admitted(deadline: deadline))
        #expect(
            await budget.admit(JobForecast(kind: .finalEvaluation, seconds: 50 * 60))
                == .admitted(deadline: time.now().addingTimeInterval(3600)))

        time.advance(by: 25 * 60)
        let allowance = await budget.allowance(for: .evaluation)
        #expect(allowance.seconds == 5 * 60 && allowance.deadline == deadline)
        time.advance(by: 60 * 60)
        guard case .refused(let late) = await budget.admit(JobForecast(kind: .finalEvaluation, seconds: 1)) else {
            Issue.record("nothing starts after the deadline")
            return
        }
        #expect(late.contains("deadline has passed"))
    }

    @Test func gpuHourCapRefusesAndTracksJobs() async {
        let (budget, _) = makeClock(hours: 10, gpuHours: 2)
        await budget.recordGPUTime(seconds: 3600, gpuCount: 1)
        guard case .refused(let reason) = await budget.admit(JobForecast(kind: .training, seconds: 3600, gpuCount: 2))
        else {
            Issue.record("2 GPU-hours do not fit in the 1 left")
            return
        }
        #expect(reason.contains("GPU-hours"))
        #expect(await budget.snapshot().summary.contains("GPU 1.00/2.00 h"))
    }

    @Test func tokensAndDollarsExhaustTheBudget() async {
        let (budget, _) = makeClock()
        await budget.recordModelUsage(Usage(inputTokens: 4000, outputTokens: 1000), costUSD: 1.5)
        await budget.recordModelUsage(Usage(inputTokens: 100), costUSD: nil)
        var snapshot = await budget.snapshot()
        #expect(snapshot.usage == BudgetUsage(tokens: 5100, usd: 1.5, unpricedTokens: 100))
        #expect(!snapshot.isExhausted)
        #expect(
            snapshot.summary
                == "Budget: 1h00m left (30m00s reserved for final evaluation), 30m00s for jobs · tokens 5100/10000 · "
                + "$1.50/$2.00")
        await budget.recordModelUsage(Usage(inputTokens: 10), costUSD: 0.6)
        snapshot = await budget.snapshot()
        #expect(snapshot.exhaustion?.contains("dollar budget") == true)
        #expect(snapshot.summary.hasSuffix("EXHAUSTED: the dollar budget is spent ($2.10 of $2.00)"))
    }

    @Test func runningJobIsStoppedWhenItsRateCannotFinishInTime() async {
        let (budget, _) = makeClock()
        let slow = TrainingProgress(step: 10, totalSteps: 100, elapsedSeconds: 300)
        guard case .stop(let reason) = await budget.review(slow) else {
            Issue.record("90 steps at 30 s each need 45 minutes, only 30 are left")
            return
        }
        #expect(reason.contains("step 10/100") && reason.contains("checkpoints"))
        #expect(await budget.review(TrainingProgress(step: 10, totalSteps: 100, elapsedSeconds: 100)) == .proceed)
        #expect(await budget.review(TrainingProgress(step: 0, totalSteps: 100)) == .proceed)
        let trainerEstimate = TrainingProgress(step: 90, totalSteps: 100, elapsedSeconds: 1, remainingSeconds: 3000)
        #expect(await budget.review(trainerEstimate) != .proceed)
    }

    @Test func supervisedJobStopsAtAStepBoundaryAndIsTornDown() async throws {
        let (budget, time) = makeClock()
        let tornDown = Mutex(false)
        let (events, continuation) = AsyncThrowingStream.makeStream(of: TrainingEvent.self, throwing: (any Error).self)
        continuation.onTermination = { _ in tornDown.withLock { $0 = true } }
        continuation.yield(.started(command: ["llamafactory-cli", "train"]))
        continuation.yield(.progress(TrainingProgress(step: 1, totalSteps: 10, elapsedSeconds: 60)))
        continuation.yield(.progress(TrainingProgress(step: 2, totalSteps: 10, elapsedSeconds: 600)))
        continuation.yield(.progress(TrainingProgress(step: 3, totalSteps: 10, elapsedSeconds: 660)))

        var seen: [TrainingEvent] = []
        var stop: BudgetStopError?
        do {
            for try await event in budget.supervise(jobID: "it1", gpuCount: 2, events: events) {
                seen.append(event)
                time.advance(by: 60)
            }
        } catch let error as BudgetStopError {
            stop = error
        }
        #expect(seen.count == 3)
        #expect(stop?.jobID == "it1" && stop?.step == 2)
        #expect(tornDown.withLock { $0 })
        #expect(abs(await budget.snapshot().usage.gpuHours - 600.0 * 2 / 3600) < 1e-9)
    }

    @Test func trainingJobIsRefusedWhenOnlyTheReserveIsLeft() async throws {
        let clock = ManualClock()
        let budget = BudgetClock(
            limits: BudgetLimits(deadline: clock.now().addingTimeInterval(900), finalReserve: 900), clock: clock)
        let backend = BudgetedTrainingBackend(base: loadableModelBackend(), budget: budget)
        let directory = try TemporaryDirectory()
        let job = makeTrainingJob(in: directory)
        await #expect(throws: BudgetRefusalError.self) {
            for try await _ in backend.train(job) {}
        }
        #expect(!FileManager.default.fileExists(atPath: job.mergedModelDirectory!.path))
    }

    @Test func limitsFromAManifestKeepTheRunsDeadline() {
        let created = Date(timeIntervalSince1970: 1_900_000_000)
        let task = TaskProfile(name: "t", baseModel: "/m", template: "qwen", benchmark: "b")
        let manifest = RunManifest(
            runID: "r", createdAt: created, task: task,
            budget: RunBudget(totalSeconds: 36_000, reserveSeconds: 1200, maxCostUSD: 25))
        let limits = BudgetLimits(manifest: manifest)
        #expect(limits == BudgetLimits(deadline: created.addingTimeInterval(36_000), finalReserve: 1200, usd: 25))
    }

    @Test func evaluationForecastFromTheMeasuredRateIsRefusedWhenItCannotFit() async throws {
        let (budget, time) = makeClock()
        var slow = makeReport("baseline", scores(correct: 6, of: 60))
        slow.durationSeconds = 600
        let fixed = FixedEvaluator(replies: [.report(slow), .report(slow)])
        let evaluator = BudgetedEvaluator(base: fixed, budget: budget)
        let first = try await evaluator.evaluate(EvaluationTarget(modelPath: "/m", label: "baseline", limit: 60))
        #expect(first.sampleCount == 60)

        await #expect(throws: BudgetRefusalError.self) {
            try await evaluator.evaluate(EvaluationTarget(modelPath: "/m", label: "big", limit: 1000))
        }
        _ = try await evaluator.evaluate(EvaluationTarget(modelPath: "/m", label: "small", limit: 60))
        let asked = await fixed.targets
        #expect(asked.map(\.label) == ["baseline", "small"])
        #expect(asked.last?.deadline == time.now().addingTimeInterval(30 * 60))
    }
}
