using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace Foundry.Tests.Support;

/// <summary>Raw Resource Manager calls for operations no typed SDK package here covers (listKeys, purge, app settings…).</summary>
public static class RawArm
{
    public sealed record Reply(int Status, JsonNode? Body, HttpResponseHeaders Headers, string Text);

    public static HttpClient Authorized(this EmulatorFixture emulator, string principal = EmulatorFixture.Operator)
    {
        var http = emulator.CreateHttpClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", principal);
        return http;
    }

    public static async Task<Reply> SendAsync(this HttpClient http, HttpMethod method, string path, string? json = null, Action<HttpRequestMessage>? configure = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (json is not null) request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        configure?.Invoke(request);
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        JsonNode? body = null;
        if (text.Length > 0)
        {
            try
            {
                body = JsonNode.Parse(text);
            }
            catch (System.Text.Json.JsonException)
            {
                body = null;
            }
        }
        return new Reply((int)response.StatusCode, body, response.Headers, text);
    }

    /// <summary>Polls an Azure-AsyncOperation URL until a terminal status.</summary>
    public static async Task<string> PollAsync(this HttpClient http, string url)
    {
        for (var i = 0; i < 100; i++)
        {
            var status = (await http.SendAsync(HttpMethod.Get, url)).Body?["status"]?.GetValue<string>();
            if (status is "Succeeded" or "Failed" or "Canceled") return status;
            await Task.Delay(20);
        }
        return "timeout";
    }
}
