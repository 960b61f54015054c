using System.IO.Compression;
using System.Text;
using System.Text.Json;

namespace Grocery.Workflows.Persistence.Retention;

/// <summary>
/// The archive of one retention run: per kind of record and per day, a file <c>{kind}/{yyyy-MM-dd}.{run}.jsonl.gz</c>
/// under the archive path, one JSON object per line. Each batch is appended as a gzip member of its own and flushed
/// to the disk before the rows are deleted, so a crash between the two archives the batch again (a reader keeps the
/// last line of a key) and never loses it. <c>zcat</c> and .NET's <see cref="GZipStream"/> read the members as one stream.
/// </summary>
public sealed class ArchiveFiles(string root, Guid runId)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly HashSet<string> _written = new(StringComparer.Ordinal);

    /// <summary>The files this run wrote to, relative to the archive path.</summary>
    public IReadOnlyCollection<string> Written => _written;

    public static JsonSerializerOptions Options => Json;

    public async Task Append<T>(string kind, IEnumerable<(DateOnly Day, T Record)> records, CancellationToken cancellationToken)
    {
        foreach (var day in records.GroupBy(r => r.Day))
        {
            var relative = Path.Combine(kind, $"{day.Key:yyyy-MM-dd}.{runId:N}.jsonl.gz");
            var path = Path.Combine(root, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await using (var file = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read, 64 * 1024, FileOptions.Asynchronous))
            {
                await using (var gzip = new GZipStream(file, CompressionLevel.Optimal, leaveOpen: true))
                {
                    foreach (var (_, record) in day)
                    {
                        await JsonSerializer.SerializeAsync(gzip, record, Json, cancellationToken);
                        gzip.WriteByte((byte)'\n');
                    }
                }

                file.Flush(flushToDisk: true);
            }

            _written.Add(relative.Replace(Path.DirectorySeparatorChar, '/'));
        }
    }

    /// <summary>Reads every line of an archive file (for tests and for whoever restores from it).</summary>
    public static async Task<List<JsonElement>> Read(string path, CancellationToken cancellationToken = default)
    {
        await using var file = File.OpenRead(path);
        await using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using var reader = new StreamReader(gzip, Encoding.UTF8);
        var lines = new List<JsonElement>();
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            lines.Add(JsonSerializer.Deserialize<JsonElement>(line, Json));
        }

        return lines;
    }
}
