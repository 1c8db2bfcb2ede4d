// The umbrella module: `import AutoTrainess` brings in the whole SDK, plus the composition root (task files, the
// run launcher) and the demo.
@_exported import AgentCore
@_exported import DataEngine
@_exported import Evaluation
@_exported import Interfaces
@_exported import Reporting
@_exported import Runtime
@_exported import TrainingBackends
@_exported import Workflows
