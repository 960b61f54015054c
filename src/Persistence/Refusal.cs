namespace Grocery.Workflows.Persistence;

/// <summary>What kind of no a command answers; the API turns each into its status code.</summary>
public enum RefusalKind
{
    /// <summary>A value the command checks against the data (a date outside a store's window) is out of range.</summary>
    Invalid,
    NotFound,
    Conflict,
    Unprocessable,
}

/// <summary>
/// Why a command did not do what it was asked, in the words its caller is answered with: nothing was written. The
/// refusals of input a command checks against the data name their fields in <see cref="Errors"/>.
/// </summary>
public sealed record Refusal(RefusalKind Kind, string Title, string Detail, IReadOnlyDictionary<string, string[]>? Errors = null)
{
    public static Refusal Invalid(string field, string message) =>
        new(RefusalKind.Invalid, "The request is not valid", message, new Dictionary<string, string[]> { [field] = [message] });

    public static Refusal NotFound(string what, string detail) => new(RefusalKind.NotFound, $"{what} not found", detail);

    public static Refusal Conflict(string title, string detail) => new(RefusalKind.Conflict, title, detail);

    public static Refusal Unprocessable(string title, string detail) => new(RefusalKind.Unprocessable, title, detail);
}
