using System.Collections;
using System.Management.Automation;

namespace Foundry.Shell;

/// <summary>Writes pipeline output the way Format-List would: scalars as text, objects as "Name : Value" lines.</summary>
internal static class OutputFormatter
{
    public static string Format(PSObject? item)
    {
        var value = item?.BaseObject;
        if (value is null) return "";
        if (value is string || value.GetType().IsPrimitive || value is decimal || value is DateTime || value is DateTimeOffset || value is Guid || value is Enum) return value.ToString() ?? "";
        var properties = item!.Properties.Where(p => p.IsGettable).ToList();
        if (properties.Count == 0) return value.ToString() ?? "";
        var width = properties.Max(p => p.Name.Length);
        var lines = properties.Select(p => $"{p.Name.PadRight(width)} : {Text(SafeValue(p))}");
        return string.Join(Environment.NewLine, lines) + Environment.NewLine;
    }

    private static object? SafeValue(PSPropertyInfo property)
    {
        try
        {
            return property.Value;
        }
        catch (GetValueException)
        {
            return null;
        }
    }

    private static string Text(object? value) => value switch
    {
        null => "",
        string s => s,
        PSObject o => Text(o.BaseObject),
        IDictionary dictionary => "{" + string.Join("; ", dictionary.Keys.Cast<object>().Select(k => $"{k}={dictionary[k]}")) + "}",
        IEnumerable sequence => "{" + string.Join(", ", sequence.Cast<object?>().Select(Text)) + "}",
        _ => value.ToString() ?? "",
    };
}
