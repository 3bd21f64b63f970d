using System.Net.Http;
using System.Net.Sockets;
using System.Security.Authentication;
using Azure;
using Foundry.Engine.Rest;

namespace Foundry.Engine.Errors;

/// <summary>
/// The last line at every engine entry point (up, rotate, down, test, read, graph, cleanup, exposure): once the SDK's
/// retries are spent, a cloud that cannot be reached surfaces as Azure.Core's AggregateException of status-0
/// RequestFailedExceptions, a bare HttpRequestException (DNS, refused, TLS), or a timeout's TaskCanceledException. Each
/// becomes CloudUnreachable with advice; nothing raw leaves the engine whichever step the network went away at.
/// </summary>
internal static class CloudReachability
{
    /// <summary>Runs <paramref name="command"/>, turning transport failures into CloudUnreachable for "<paramref name="operation"/>".</summary>
    public static async Task<T> Guard<T>(string operation, CancellationToken cancellationToken, Func<Task<T>> command)
    {
        try
        {
            return await command().ConfigureAwait(false);
        }
        catch (Exception e) when (e is not FoundryEngineException && !cancellationToken.IsCancellationRequested && TransportFailure(e) is { } cause)
        {
            throw AzureErrors.Unreachable(new FailureContext(operation), cause);
        }
    }

    /// <summary>The transport failure at the root of <paramref name="exception"/>, or null when it is something else (an HTTP answer, a bug).</summary>
    internal static Exception? TransportFailure(Exception exception)
    {
        switch (exception)
        {
            case HttpRequestException or SocketException or AuthenticationException:
                return exception;
            case RequestFailedException { Status: 0 } failed when failed.GetRawResponse() is null:
                return failed.InnerException is { } inner ? TransportFailure(inner) ?? failed : failed;
            case AggregateException aggregate:
                // Azure.Core's retry policy throws every attempt's failure: unreachable only if each attempt was.
                var causes = aggregate.Flatten().InnerExceptions.Select(TransportFailure).ToList();
                return causes.Count > 0 && causes.All(c => c is not null) ? causes[causes.Count - 1] : null;
            case TaskCanceledException or OperationCanceledException:
                // Not the caller's cancellation (checked by the caller): the SDK's network timeout ran out.
                return new TimeoutException("The request timed out after the SDK's retries.", exception);
            case IOException when exception.InnerException is SocketException:
                return exception;
            default:
                return exception.InnerException is { } next && exception is not RequestFailedException ? TransportFailure(next) : null;
        }
    }
}
