using System.Text.Json.Nodes;

namespace Foundry.Emulator.State;

/// <summary>
/// A long-running operation. It completes lazily: whenever the cloud is touched, operations whose time is up
/// are finished and their completion handler (named, so that it survives persistence) changes the state.
/// </summary>
public sealed class LongRunningOperation
{
    public required string Id { get; set; }
    public required string SubscriptionId { get; set; }
    /// <summary>Provider namespace whose status URL serves this operation (Microsoft.CognitiveServices, Microsoft.Resources…).</summary>
    public required string Provider { get; set; }
    public string? Location { get; set; }
    /// <summary>The resource the operation acts on.</summary>
    public required string ResourceId { get; set; }
    /// <summary>The completion handler's name, registered with <see cref="LocalCloud.OnOperationComplete"/>.</summary>
    public required string Handler { get; set; }
    /// <summary>"Creating", "Deleting", "Accepted"… while running; Succeeded, Failed or Canceled when done.</summary>
    public string Status { get; set; } = "Accepted";
    public DateTimeOffset StartTime { get; set; }
    public DateTimeOffset CompletesAt { get; set; }
    public DateTimeOffset? EndTime { get; set; }
    public string? ErrorCode { get; set; }
    public string? ErrorMessage { get; set; }
    /// <summary>Extra data the handler needs (e.g. the deleted account's location).</summary>
    public JsonObject? Data { get; set; }

    public bool IsTerminal => Status is "Succeeded" or "Failed" or "Canceled";

    public void Fail(string code, string message)
    {
        Status = "Failed";
        ErrorCode = code;
        ErrorMessage = message;
    }
}
