using MassTransit;

namespace Grocery.Workflows.Sagas;

/// <summary>
/// A saga as the rest of the engine sees it: its name (in the API, the timeline, metrics and docs), its machine, state
/// and settings types, its table, its settings section, and the states an instance may rest in for good (its work is
/// done; waiting long in any other state is stuck). Each machine declares its own (<c>XStateMachine.Saga</c>) and
/// <see cref="SagaCatalog.All"/> lists them: every place that handles "each saga" iterates that list, and reaches the
/// types through <see cref="Accept{TResult}"/>.
/// </summary>
public abstract class SagaDescriptor
{
    private protected SagaDescriptor(string name, string table, string settingsSection, IEnumerable<string> restingStates)
    {
        Name = name;
        Table = table;
        SettingsSection = settingsSection;
        RestingStates = new HashSet<string>(restingStates, StringComparer.Ordinal);
    }

    public string Name { get; }

    /// <summary>The database table of its instances (one row per instance, keyed by correlation id).</summary>
    public string Table { get; }

    /// <summary>The configuration section its settings bind from.</summary>
    public string SettingsSection { get; }

    public IReadOnlySet<string> RestingStates { get; }

    public abstract Type MachineType { get; }

    public abstract Type StateType { get; }

    public abstract Type SettingsType { get; }

    /// <summary>Its settings with their defaults (for hosts that do not bind configuration, such as test harnesses).</summary>
    public abstract object NewSettings();

    /// <summary>Calls the visitor with this saga's machine, state and settings types.</summary>
    public abstract TResult Accept<TResult>(ISagaVisitor<TResult> visitor);

    /// <summary>Declares a saga; called once, by its machine.</summary>
    public static SagaDescriptor Of<TMachine, TState, TSettings>(string name, string table, string settingsSection, params string[] restingStates)
        where TMachine : MassTransitStateMachine<TState>
        where TState : class, IGrocerySagaState
        where TSettings : class, new() =>
        new Typed<TMachine, TState, TSettings>(name, table, settingsSection, restingStates);

    public override string ToString() => Name;

    private sealed class Typed<TMachine, TState, TSettings>(string name, string table, string settingsSection, IEnumerable<string> restingStates)
        : SagaDescriptor(name, table, settingsSection, restingStates)
        where TMachine : MassTransitStateMachine<TState>
        where TState : class, IGrocerySagaState
        where TSettings : class, new()
    {
        public override Type MachineType => typeof(TMachine);

        public override Type StateType => typeof(TState);

        public override Type SettingsType => typeof(TSettings);

        public override object NewSettings() => new TSettings();

        public override TResult Accept<TResult>(ISagaVisitor<TResult> visitor)
        {
            ArgumentNullException.ThrowIfNull(visitor);
            return visitor.Visit<TMachine, TState, TSettings>(this);
        }
    }
}

/// <summary>
/// Work done once per saga with its types in hand (register it, map its table, query its instances). Implemented
/// explicitly, a visit inherits the type constraints and states none.
/// </summary>
public interface ISagaVisitor<out TResult>
{
    TResult Visit<TMachine, TState, TSettings>(SagaDescriptor saga)
        where TMachine : MassTransitStateMachine<TState>
        where TState : class, IGrocerySagaState
        where TSettings : class, new();
}
