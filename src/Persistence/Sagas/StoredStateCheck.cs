using Grocery.Workflows.Sagas;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Grocery.Workflows.Persistence.Sagas;

/// <summary>
/// Before the first message is consumed (registered after the migrator, before the bus): every state name stored in a
/// saga table must be a state of that saga's machine in this version. An instance in a state the machine no longer
/// has would match no event, so its order would wait for ever; the engine refuses to start instead, naming the saga,
/// the state and how many instances are in it. docs/upgrades.md says how to rename or remove a state in two releases.
/// Sagas whose machine this host does not register are not checked here (their host checks them).
/// </summary>
public sealed partial class StoredStateCheck(IServiceProvider services, IServiceScopeFactory scopes, ILogger<StoredStateCheck> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<WorkflowDbContext>();
        var unknown = new List<string>();
        var checkedSagas = 0;
        foreach (var saga in SagaCatalog.All)
        {
            if (services.GetService(saga.MachineType) is not StateMachine machine)
            {
                continue;
            }

            checkedSagas++;
            var known = machine.States.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
            unknown.AddRange((await SagaStateCounts.Read(db, saga.Name, cancellationToken))
                .Where(stored => !known.Contains(stored.State))
                .Select(stored => $"{saga.Name} in '{stored.State}': {stored.Count} instance(s), the oldest since {stored.OldestEnteredAt:u}"));
        }

        if (unknown.Count > 0)
        {
            throw new UnknownStoredStateException(unknown);
        }

        LogChecked(checkedSagas);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Stored saga states: every state name of {Sagas} saga table(s) is a state of its machine")]
    private partial void LogChecked(int sagas);
}

/// <summary>The database holds saga instances in states this version's machines do not have: the engine does not start.</summary>
public sealed class UnknownStoredStateException(IReadOnlyList<string> states) : Exception(
    "The database holds saga instances in states this version of the engine does not know, so their orders could never move on. " +
    "Start the previous version again, or move those instances to a state that exists first (docs/upgrades.md): " + string.Join("; ", states) + ".")
{
    public IReadOnlyList<string> States { get; } = states;
}
