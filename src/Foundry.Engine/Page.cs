namespace Foundry.Engine;

/// <summary>One page of results and the token for the next (null on the last page).</summary>
/// <typeparam name="T">Item type.</typeparam>
/// <param name="Items">The page's items.</param>
/// <param name="ContinuationToken">Pass back to get the next page.</param>
/// <param name="TotalRecords">The service's total count across pages, when it gives one.</param>
public sealed record Page<T>(IReadOnlyList<T> Items, string? ContinuationToken, long? TotalRecords = null);
