// The umbrella module: `import AutoTrainess` brings in the whole SDK.
@_exported import AgentCore
@_exported import Evaluation
@_exported import Interfaces
@_exported import Runtime
@_exported import TrainingBackends
@_exported import Workflows
