using Azure.Core;
using Azure.ResourceManager;
using Azure.ResourceManager.Resources;
using Azure.ResourceManager.Resources.Models;
using Foundry.Engine.Errors;
using Foundry.Engine.Rest;

namespace Foundry.Engine.Tags;

/// <summary>
/// Tags through the Tags API at a scope ({scope}/providers/Microsoft.Resources/tags/default). A repair of tags must never
/// PUT the resource itself: a PUT is the whole definition, and whatever it omits (network rules, disableLocalAuth, a
/// content filter) Azure resets to its default. A Merge patch touches the named tags and nothing else.
/// </summary>
public sealed class TagOperations
{
    private readonly ArmClient arm;

    internal TagOperations(ArmClient arm) => this.arm = arm;

    /// <summary>Adds or overwrites <paramref name="tags"/> on the resource (or group), leaving its other tags and every property alone.</summary>
    public Task MergeAsync(string resourceId, IReadOnlyDictionary<string, string> tags, CancellationToken cancellationToken)
    {
        if (tags is null) throw new ArgumentNullException(nameof(tags));
        var context = new FailureContext("merge tags", resourceId, "Tag Contributor");
        return AzureErrors.Guard(context, async () =>
        {
            var patch = new TagResourcePatch { PatchMode = TagPatchMode.Merge };
            foreach (var tag in tags) patch.TagValues[tag.Key] = tag.Value;
            await arm.GetTagResource(TagResource.CreateResourceIdentifier(new ResourceIdentifier(resourceId))).UpdateAsync(Azure.WaitUntil.Completed, patch, cancellationToken).ConfigureAwait(false);
            return true;
        });
    }

    /// <summary>Deletes the named tags where they still hold the given values (the Tags API's Delete patch), leaving the rest alone.</summary>
    public Task DeleteAsync(string resourceId, IReadOnlyDictionary<string, string> tags, CancellationToken cancellationToken)
    {
        if (tags is null) throw new ArgumentNullException(nameof(tags));
        var context = new FailureContext("delete tags", resourceId, "Tag Contributor");
        return AzureErrors.Guard(context, async () =>
        {
            var patch = new TagResourcePatch { PatchMode = TagPatchMode.Delete };
            foreach (var tag in tags) patch.TagValues[tag.Key] = tag.Value;
            await arm.GetTagResource(TagResource.CreateResourceIdentifier(new ResourceIdentifier(resourceId))).UpdateAsync(Azure.WaitUntil.Completed, patch, cancellationToken).ConfigureAwait(false);
            return true;
        });
    }
}
