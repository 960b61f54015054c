using System.Reflection;
using System.Reflection.Emit;

namespace Grocery.Workflows.Architecture.Tests;

/// <summary>
/// The API binds, authorizes, calls a command and maps its result: it reads for its views, but never writes through a
/// DbContext (no SaveChanges, Add/Remove/Update, ExecuteUpdate/ExecuteDelete or transaction of its own). Read from the
/// compiled IL, so that lambdas and async state machines count too. Nor does it commit by other means: the write
/// gate, the dispatcher's signal and the unit of work are the commands' business.
/// </summary>
public sealed class ApiWriteTests
{
    private static readonly HashSet<string> Writes = new(StringComparer.Ordinal)
    {
        "SaveChanges", "SaveChangesAsync", "Add", "AddAsync", "AddRange", "AddRangeAsync", "Remove", "RemoveRange", "Update",
        "UpdateRange", "Attach", "AttachRange", "ExecuteUpdate", "ExecuteUpdateAsync", "ExecuteDelete", "ExecuteDeleteAsync",
        "BeginTransaction", "BeginTransactionAsync", "ExecuteSqlRaw", "ExecuteSqlRawAsync", "ExecuteSqlInterpolated",
        "ExecuteSqlInterpolatedAsync", "ExecuteSql", "ExecuteSqlAsync",
    };

    /// <summary>The commit step and what it uses belong to the commands: the API neither takes the write gate nor wakes the dispatcher.</summary>
    private static readonly HashSet<string> CommitMachinery = new(StringComparer.Ordinal) { "UnitOfWork", "WriteGate", "OutboxSignal", "OutboxWriter" };

    [Fact]
    public void The_API_never_writes_through_a_DbContext()
    {
        var api = Assembly.Load("Grocery.Workflows.Api");
        var calls = EfWritesIn(api).ToList();
        calls.ShouldBeEmpty("an endpoint calls an application command (src/Persistence) for every write");
    }

    [Fact]
    public void The_check_finds_a_write()
    {
        EfWritesIn(typeof(ApiWriteTests).Assembly).ShouldContain(c => c.EndsWith("DbSet`1.Add", StringComparison.Ordinal));
    }

    // Referenced only so that The_check_finds_a_write has a write to find.
    internal static void Writer(Microsoft.EntityFrameworkCore.DbSet<object> set) => set.Add(new object());

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!).ToDictionary(o => o.Value);

    private static IEnumerable<string> EfWritesIn(Assembly assembly)
    {
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        foreach (var type in assembly.GetTypes())
        {
            foreach (var method in type.GetMethods(all).Cast<MethodBase>().Concat(type.GetConstructors(all)))
            {
                foreach (var callee in Callees(method))
                {
                    var owner = callee.DeclaringType;
                    if ((owner?.Namespace?.StartsWith("Microsoft.EntityFrameworkCore", StringComparison.Ordinal) == true && Writes.Contains(callee.Name))
                        || (owner is not null && CommitMachinery.Contains(owner.Name)))
                    {
                        yield return $"{type.FullName}.{method.Name} calls {owner.Name}.{callee.Name}";
                    }
                }
            }
        }
    }

    private static IEnumerable<MethodBase> Callees(MethodBase method)
    {
        var il = method.GetMethodBody()?.GetILAsByteArray();
        if (il is null)
        {
            yield break;
        }

        var typeArguments = method.DeclaringType is { IsGenericType: true } t ? t.GetGenericArguments() : null;
        var methodArguments = method.IsGenericMethod ? method.GetGenericArguments() : null;
        var at = 0;
        while (at < il.Length)
        {
            var value = il[at] == 0xFE ? (short)(0xFE00 | il[at + 1]) : il[at];
            var code = OpCodesByValue[value];
            at += code.Size;
            if (code.OperandType == OperandType.InlineMethod)
            {
                MethodBase? callee = null;
                try
                {
                    callee = method.Module.ResolveMethod(BitConverter.ToInt32(il, at), typeArguments, methodArguments);
                }
                catch (ArgumentException)
                {
                    // A token this context cannot resolve is no call into EF Core that matters here.
                }

                if (callee is not null)
                {
                    yield return callee;
                }
            }

            at += OperandSize(code, il, at);
        }
    }

    private static int OperandSize(OpCode code, byte[] il, int at) => code.OperandType switch
    {
        OperandType.InlineNone => 0,
        OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
        OperandType.InlineVar => 2,
        OperandType.InlineI8 or OperandType.InlineR => 8,
        OperandType.InlineSwitch => 4 + (4 * BitConverter.ToInt32(il, at)),
        _ => 4,
    };
}
