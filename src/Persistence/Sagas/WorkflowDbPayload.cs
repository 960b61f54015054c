namespace Grocery.Workflows.Persistence.Sagas;

/// <summary>Carries the message's DbContext down the saga pipe, for the timeline observer.</summary>
public sealed record WorkflowDbPayload(WorkflowDbContext Db);
