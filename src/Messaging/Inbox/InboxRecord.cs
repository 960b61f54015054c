using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace Grocery.Workflows.Messaging.Inbox;

/// <summary>
/// Records a consumed message id in one statement, <c>INSERT ... ON CONFLICT DO NOTHING</c> (PostgreSQL and SQLite both
/// have it), whose row count says whether the id is new: a look-up and an insert took two. On PostgreSQL a second
/// delivery racing the first waits for the first one's transaction and then sees its row, where the look-up saw nothing
/// and failed on the key at commit.
/// </summary>
internal static class InboxRecord
{
    private static readonly ConditionalWeakTable<IModel, Statement> Statements = [];

    /// <summary>Adds the row in the context's transaction; <c>false</c> when the consumer already has this message id.</summary>
    public static async Task<bool> TryAdd(MessagingDbContext db, Guid messageId, string consumer, DateTimeOffset receivedAt, CancellationToken cancellationToken)
    {
        var statement = Statements.GetValue(db.Model, model => new Statement(model));
        var inserted = await db.Database.ExecuteSqlRawAsync(statement.Sql,
            [statement.MessageId(messageId), consumer, statement.ReceivedAt(receivedAt)], cancellationToken);
        return inserted == 1;
    }

    /// <summary>The SQL with the model's table and column names, and each value as the model stores it (SQLite: ticks).</summary>
    private sealed class Statement
    {
        private readonly IProperty _messageId;
        private readonly IProperty _receivedAt;

        public Statement(IModel model)
        {
            var entity = model.FindEntityType(typeof(InboxMessage)) ?? throw new InvalidOperationException("The inbox is not mapped");
            _messageId = entity.GetProperty(nameof(InboxMessage.MessageId));
            _receivedAt = entity.GetProperty(nameof(InboxMessage.ReceivedAt));
            var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
            var consumer = entity.GetProperty(nameof(InboxMessage.Consumer));
            Sql = string.Concat(
                "INSERT INTO ", entity.GetTableName(), " (", _messageId.GetColumnName(table), ", ", consumer.GetColumnName(table), ", ",
                _receivedAt.GetColumnName(table), ") VALUES ({0}, {1}, {2}) ON CONFLICT DO NOTHING");
        }

        public string Sql { get; }

        public object MessageId(Guid value) => Provider(_messageId, value);

        public object ReceivedAt(DateTimeOffset value) => Provider(_receivedAt, value);

        private static object Provider(IProperty property, object value) =>
            property.GetTypeMapping().Converter?.ConvertToProvider(value) ?? value;
    }
}
