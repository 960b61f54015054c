using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Grocery.Workflows.Api.Failures;
using Grocery.Workflows.Api.Security;
using Grocery.Workflows.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Grocery.Workflows.OpsConsole.Views;

/// <summary>Failures with one cause: the same message type, exception type and message once ids and numbers are taken out.</summary>
public sealed record FailureGroup(string Fingerprint, string MessageType, string ExceptionType, string Message, int Count, int Open,
    DateTimeOffset FirstSeen, DateTimeOffset LastSeen, int Orders, IReadOnlyList<long> Ids);

public static partial class FailureGroups
{
    /// <summary>How many of the newest failures are grouped.</summary>
    public const int Window = 5000;

    public static async Task<IReadOnlyList<FailureGroup>> Load(WorkflowDbContext db, Caller caller, string? messageType, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        var query = FailureEndpoints.Visible(db.FailedMessages.AsNoTracking(), caller, db);
        if (!string.IsNullOrWhiteSpace(messageType))
        {
            query = query.Where(f => f.MessageType == messageType);
        }

        var failures = await query.OrderByDescending(f => f.Id).Take(Window).ToListAsync(cancellationToken);
        return [.. failures.Select(f => FailureEndpoints.Detail(f).Failure)
            .GroupBy(f => Fingerprint(f.MessageType, f.ExceptionType, f.ExceptionMessage))
            .Select(g => new FailureGroup(g.Key, g.First().MessageType, g.First().ExceptionType, Normalize(g.First().ExceptionMessage), g.Count(),
                g.Count(f => f.ReplayedAt is null), g.Min(f => f.FailedAt), g.Max(f => f.FailedAt), g.Where(f => f.OrderId is not null).Select(f => f.OrderId).Distinct().Count(),
                [.. g.Select(f => f.Id).Order()]))
            .OrderByDescending(g => g.LastSeen)];
    }

    public static string Fingerprint(string messageType, string exceptionType, string message) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes($"{messageType}\n{exceptionType}\n{Normalize(message)}")))[..12].ToLowerInvariant();

    /// <summary>The message with ids, numbers and times taken out, so that one cause is one group.</summary>
    public static string Normalize(string message) => Numbers().Replace(Guids().Replace(message ?? "", "<id>"), "<n>");

    [GeneratedRegex("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")]
    private static partial Regex Guids();

    [GeneratedRegex(@"\d+(?:[.:]\d+)*")]
    private static partial Regex Numbers();
}
