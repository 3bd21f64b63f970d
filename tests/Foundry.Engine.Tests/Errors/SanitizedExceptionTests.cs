using Azure;
using Foundry.Engine.Errors;
using Foundry.Engine.Secrets;

namespace Foundry.Engine.Tests.Errors;

/// <summary>
/// Issue 16 item 3: a Foundry error keeps its cause (type, status, code, message, stack) but never the raw SDK
/// exception, whose message carries the service's whole response body and headers.
/// </summary>
public sealed class SanitizedExceptionTests
{
    [Fact]
    public void The_cause_keeps_type_status_and_code_but_neither_the_raw_body_nor_a_registered_key()
    {
        var registered = "reg" + Guid.NewGuid().ToString("n");        // a key Foundry has read: masked wherever it appears
        var unknown = "unk" + Guid.NewGuid().ToString("n");           // text of the raw body only: dropped with the body
        SecretScrubber.Shared.Register(registered);
        var raw = new RequestFailedException(400,
            $"The value '{registered}' is not valid.\nStatus: 400 (Bad Request)\nErrorCode: BadParameter\n\nContent:\n{{\"error\":{{\"message\":\"{unknown}\"}}}}\n\nHeaders:\nx-ms-request-id: 42\n",
            "BadParameter", new InvalidOperationException($"inner quoting {registered}"));

        var error = new FoundryEngineException(FailureKind.InvalidRequest, EngineErrorIds.InvalidRequest, "Azure rejected it.", status: 400, errorCode: "BadParameter", inner: raw);

        var cause = Assert.IsType<SanitizedException>(error.InnerException);
        Assert.Equal("Azure.RequestFailedException", cause.OriginalType);
        Assert.Equal((400, "BadParameter"), (cause.Status, cause.ErrorCode));
        Assert.Contains("Status: 400 (Bad Request)", cause.Message);
        Assert.DoesNotContain("Content:", cause.Message);
        var innermost = Assert.IsType<SanitizedException>(cause.InnerException);
        Assert.Equal("System.InvalidOperationException", innermost.OriginalType);
        var text = error.ToString();
        Assert.DoesNotContain(registered.Substring(5, 8), text);
        Assert.DoesNotContain(unknown.Substring(5, 8), text);
        Assert.Contains("[REDACTED]", text);
    }

    [Fact]
    public void Foundry_errors_inside_Foundry_errors_are_kept_as_they_are()
    {
        var inner = new FoundryEngineException(FailureKind.Network, EngineErrorIds.CloudUnreachable, "unreachable");
        Assert.Same(inner, new FoundryEngineException(FailureKind.Unknown, EngineErrorIds.AzureRequestFailed, "outer", inner: inner).InnerException);
    }
}
