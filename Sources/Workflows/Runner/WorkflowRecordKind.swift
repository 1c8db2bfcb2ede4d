import Interfaces

/// The `kind` values of the records the workflow runner writes, besides those it shares with the interfaces'
/// `RecordKind` (`stage.entered`, `checkpoint.registered`, `model.usage`).
public enum WorkflowRecordKind {
    /// `{stage, attempt}`: an agent session started.
    public static let sessionStarted = "workflow.session_started"
    /// `{stage, completed, reason, finalText}`: an agent session ended.
    public static let sessionEnded = "workflow.session_ended"
    /// `{stage, tool, rule, reason, arguments}`: a rule denied a tool call.
    public static let denied = "workflow.denied"
    /// `{from, exit, to}`: a stage exit held.
    public static let transition = "workflow.transition"
    /// `{jobID, error}`: a trained model could not be registered (registered ones are recorded as
    /// `checkpoint.registered`).
    public static let registrationRefused = "workflow.registration_refused"
    /// `{evalSequence, label, score}`: the base model's evaluation (the first one is the baseline).
    public static let baseline = "workflow.baseline"
    /// `{evalSequence, candidateID, promoted, reason}`: a candidate's evaluation and the promotion decision.
    public static let evaluated = "workflow.evaluated"
    /// A ``BudgetUsage``: what the run has spent, after each model turn.
    public static let budgetUsage = "workflow.budget_usage"
    /// `{reason, best, finalModel, finalModelValid}`: the run ended.
    public static let stopped = RecordKind.runStopped
    /// `{findings, restored}`: the run found its submission, registry or store changed outside its own writes and
    /// restored `final_model/`; the run ends as tampered.
    public static let tampered = "workflow.tampered"
}
