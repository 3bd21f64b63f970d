#nullable enable
// Compiled by MSBuild's RoslynCodeTaskFactory (build/FoundryHelp.targets): turns the platyPS-style markdown in
// docs/en-US into the MAML file Get-Help reads (platyPS itself is not available to the build). Only the subset of
// platyPS markdown that Foundry's help uses is understood; anything malformed fails the build at its file and line.
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Microsoft.Build.Framework;

public sealed class BuildMamlHelp : Microsoft.Build.Utilities.Task
{
    private static readonly XNamespace Msh = "http://msh";
    private static readonly XNamespace Maml = "http://schemas.microsoft.com/maml/2004/10";
    private static readonly XNamespace Command = "http://schemas.microsoft.com/maml/dev/command/2004/10";
    private static readonly XNamespace Dev = "http://schemas.microsoft.com/maml/dev/2004/10";

    [Required]
    public ITaskItem[] Markdown { get; set; } = Array.Empty<ITaskItem>();

    [Required]
    public string OutputFile { get; set; } = "";

    public override bool Execute()
    {
        var commands = new List<XElement>();
        foreach (var item in Markdown.OrderBy(m => Path.GetFileName(m.ItemSpec), StringComparer.Ordinal))
        {
            try
            {
                commands.Add(ToMaml(Parse(File.ReadAllLines(item.ItemSpec))));
            }
            catch (HelpFormatException e)
            {
                Log.LogError(null, "FoundryHelp", null, item.ItemSpec, e.Line, 0, 0, 0, e.Message);
            }
        }
        if (Log.HasLoggedErrors) return false;
        var document = new XDocument(new XDeclaration("1.0", "utf-8", null),
            new XElement(Msh + "helpItems", new XAttribute("schema", "maml"),
                new XAttribute(XNamespace.Xmlns + "maml", Maml), new XAttribute(XNamespace.Xmlns + "command", Command), new XAttribute(XNamespace.Xmlns + "dev", Dev),
                commands));
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(OutputFile))!);
        document.Save(OutputFile);
        Log.LogMessage(MessageImportance.Normal, $"Help for {commands.Count} cmdlets written to {OutputFile}");
        return true;
    }

    private sealed class HelpFormatException : Exception
    {
        public HelpFormatException(int line, string message) : base(message) => Line = line;
        public int Line { get; }
    }

    private sealed class Section
    {
        public string Title = "";
        public int Line;
        public List<string> Body = new List<string>();
        public List<Section> Children = new List<Section>();
    }

    private sealed class Parameter
    {
        public string Name = "";
        public List<string> Description = new List<string>();
        public Dictionary<string, string> Meta = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        public int Line;
    }

    private sealed class Help
    {
        public string Name = "";
        public string Synopsis = "";
        public List<string> Sets = new List<string>();
        public List<string> Description = new List<string>();
        public List<(string Title, string Code, List<string> Remarks)> Examples = new List<(string, string, List<string>)>();
        public List<Parameter> Parameters = new List<Parameter>();
        public List<(string Type, List<string> Text)> Inputs = new List<(string, List<string>)>();
        public List<(string Type, List<string> Text)> Outputs = new List<(string, List<string>)>();
        public List<string> Notes = new List<string>();
        public List<(string Text, string Uri)> Links = new List<(string, string)>();
    }

    /// <summary>Headings split the file into a tree: # name, ## section, ### item.</summary>
    private static Help Parse(string[] lines)
    {
        var start = 0;
        if (lines.Length > 0 && lines[0].Trim() == "---")
        {
            start = Array.FindIndex(lines, 1, l => l.Trim() == "---") + 1;
            if (start == 0) throw new HelpFormatException(1, "The front matter is not closed by ---.");
        }
        var help = new Help();
        Section? section = null, item = null;
        var sections = new List<Section>();
        var inFence = false;
        for (var i = start; i < lines.Length; i++)
        {
            var line = lines[i];
            if (line.TrimStart().StartsWith("```", StringComparison.Ordinal)) inFence = !inFence;
            if (!inFence && line.StartsWith("# ", StringComparison.Ordinal)) help.Name = line.Substring(2).Trim();
            else if (!inFence && line.StartsWith("## ", StringComparison.Ordinal)) sections.Add(section = new Section { Title = line.Substring(3).Trim(), Line = i + 1 });
            else if (!inFence && line.StartsWith("### ", StringComparison.Ordinal) && section is not null) section.Children.Add(item = new Section { Title = line.Substring(4).Trim(), Line = i + 1 });
            else if (section is not null) (section.Children.Count > 0 ? item! : section).Body.Add(line);
            else if (line.Trim().Length > 0) throw new HelpFormatException(i + 1, "Text before the first ## section.");
        }
        if (inFence) throw new HelpFormatException(lines.Length, "A ``` fence is not closed.");
        if (help.Name.Length == 0) throw new HelpFormatException(start + 1, "No '# Cmdlet-Name' heading.");

        Section Find(string title, bool required)
        {
            var found = sections.FirstOrDefault(s => s.Title.Equals(title, StringComparison.OrdinalIgnoreCase));
            if (found is null && required) throw new HelpFormatException(start + 1, $"No '## {title}' section.");
            return found ?? new Section();
        }

        help.Synopsis = string.Join(" ", Paragraphs(Find("SYNOPSIS", true).Body));
        if (help.Synopsis.Length == 0) throw new HelpFormatException(Find("SYNOPSIS", true).Line, "The synopsis is empty.");
        help.Sets = Find("SYNTAX", true).Children.Select(c => Regex.Replace(c.Title, "\\s*\\(Default\\)$", "")).ToList();
        help.Description = Paragraphs(Find("DESCRIPTION", true).Body);
        foreach (var example in Find("EXAMPLES", true).Children)
        {
            var (code, rest) = SplitFence(example);
            help.Examples.Add((example.Title, code, Paragraphs(rest)));
        }
        if (help.Examples.Count == 0) throw new HelpFormatException(Find("EXAMPLES", true).Line, "At least one example is required.");
        foreach (var child in Find("PARAMETERS", true).Children.Where(c => c.Title.StartsWith("-", StringComparison.Ordinal)))
        {
            help.Parameters.Add(ParseParameter(child, help.Sets));
        }
        help.Inputs = Find("INPUTS", false).Children.Select(c => (c.Title, Paragraphs(c.Body))).ToList();
        help.Outputs = Find("OUTPUTS", false).Children.Select(c => (c.Title, Paragraphs(c.Body))).ToList();
        help.Notes = Paragraphs(Find("NOTES", false).Body);
        foreach (Match link in Regex.Matches(string.Join("\n", Find("RELATED LINKS", false).Body), "\\[(?<text>[^\\]]+)\\]\\((?<uri>[^)]*)\\)"))
        {
            help.Links.Add((link.Groups["text"].Value, link.Groups["uri"].Value));
        }
        return help;
    }

    private static (string Code, List<string> Remainder) SplitFence(Section example)
    {
        var open = example.Body.FindIndex(l => l.TrimStart().StartsWith("```", StringComparison.Ordinal));
        var close = open < 0 ? -1 : example.Body.FindIndex(open + 1, l => l.TrimStart().StartsWith("```", StringComparison.Ordinal));
        if (open < 0 || close < 0) throw new HelpFormatException(example.Line, $"Example '{example.Title}' has no ``` code block.");
        var code = string.Join(Environment.NewLine, example.Body.Skip(open + 1).Take(close - open - 1));
        return (code, example.Body.Take(open).Concat(example.Body.Skip(close + 1)).ToList());
    }

    private static Parameter ParseParameter(Section section, List<string> sets)
    {
        var parameter = new Parameter { Name = section.Title.Substring(1).Trim(), Line = section.Line };
        var open = section.Body.FindIndex(l => l.Trim() == "```yaml");
        var close = open < 0 ? -1 : section.Body.FindIndex(open + 1, l => l.Trim() == "```");
        if (open < 0 || close < 0) throw new HelpFormatException(section.Line, $"Parameter -{parameter.Name} has no ```yaml block.");
        parameter.Description = Paragraphs(section.Body.Take(open).ToList());
        foreach (var line in section.Body.Skip(open + 1).Take(close - open - 1).Where(l => l.Contains(":")))
        {
            var colon = line.IndexOf(':');
            parameter.Meta[line.Substring(0, colon).Trim()] = line.Substring(colon + 1).Trim();
        }
        foreach (var key in new[] { "Type", "Parameter Sets", "Required", "Position" })
        {
            if (!parameter.Meta.ContainsKey(key)) throw new HelpFormatException(section.Line, $"Parameter -{parameter.Name} has no '{key}:'.");
        }
        foreach (var set in SetsOf(parameter, sets))
        {
            if (!sets.Contains(set)) throw new HelpFormatException(section.Line, $"Parameter -{parameter.Name} names set '{set}', which ## SYNTAX does not list.");
        }
        return parameter;
    }

    private static IEnumerable<string> SetsOf(Parameter parameter, List<string> sets) =>
        parameter.Meta["Parameter Sets"] == "(All)" ? sets : parameter.Meta["Parameter Sets"].Split(',').Select(s => s.Trim()).Where(s => s.Length > 0);

    /// <summary>Blank lines separate paragraphs; a fenced block stays one paragraph with its line breaks.</summary>
    private static List<string> Paragraphs(List<string> body)
    {
        var paragraphs = new List<string>();
        var current = new List<string>();
        var fence = false;
        void Flush()
        {
            if (current.Count > 0) paragraphs.Add(fence ? string.Join(Environment.NewLine, current) : string.Join(" ", current.Select(l => l.Trim())));
            current.Clear();
        }
        foreach (var line in body)
        {
            if (line.TrimStart().StartsWith("```", StringComparison.Ordinal))
            {
                Flush();
                fence = !fence;
                continue;
            }
            if (!fence && line.Trim().Length == 0) Flush();
            else
            {
                // A list item starts a paragraph of its own: MAML has no lists, and run-on items read badly.
                if (!fence && Regex.IsMatch(line, "^\\s*([-*]|\\d+\\.)\\s")) Flush();
                current.Add(fence ? line : line.Trim());
            }
        }
        Flush();
        return paragraphs;
    }

    private static IEnumerable<XElement> Paras(IEnumerable<string> paragraphs) => paragraphs.Select(p => new XElement(Maml + "para", p));

    private static XElement ToMaml(Help help)
    {
        var dash = help.Name.IndexOf('-');
        var parameters = help.Parameters;
        return new XElement(Command + "command",
            new XElement(Command + "details",
                new XElement(Command + "name", help.Name),
                new XElement(Command + "verb", dash > 0 ? help.Name.Substring(0, dash) : help.Name),
                new XElement(Command + "noun", dash > 0 ? help.Name.Substring(dash + 1) : ""),
                new XElement(Maml + "description", new XElement(Maml + "para", help.Synopsis))),
            new XElement(Maml + "description", Paras(help.Description)),
            new XElement(Command + "syntax", help.Sets.Select(set => new XElement(Command + "syntaxItem",
                new XElement(Maml + "name", help.Name),
                parameters.Where(p => SetsOf(p, help.Sets).Contains(set)).OrderBy(p => Position(p) ?? int.MaxValue).ThenBy(p => p.Meta["Required"].Equals("True", StringComparison.OrdinalIgnoreCase) ? 0 : 1).Select(p => ToMaml(p, inSyntax: true))))),
            new XElement(Command + "parameters", parameters.Select(p => ToMaml(p, inSyntax: false))),
            new XElement(Command + "inputTypes", help.Inputs.Select(i => new XElement(Command + "inputType", TypeElement(i.Type), new XElement(Maml + "description", Paras(i.Text))))),
            new XElement(Command + "returnValues", help.Outputs.Select(o => new XElement(Command + "returnValue", TypeElement(o.Type), new XElement(Maml + "description", Paras(o.Text))))),
            new XElement(Maml + "alertSet", new XElement(Maml + "alert", Paras(help.Notes))),
            new XElement(Command + "examples", help.Examples.Select(e => new XElement(Command + "example",
                new XElement(Maml + "title", $"-------------------------- {e.Title} --------------------------"),
                new XElement(Dev + "code", e.Code),
                new XElement(Dev + "remarks", Paras(e.Remarks))))),
            new XElement(Command + "relatedLinks", help.Links.Select(l => new XElement(Maml + "navigationLink",
                new XElement(Maml + "linkText", l.Text), new XElement(Maml + "uri", l.Uri.StartsWith("http", StringComparison.OrdinalIgnoreCase) ? l.Uri : "")))));
    }

    private static int? Position(Parameter parameter) => int.TryParse(parameter.Meta["Position"], out var position) ? position : (int?)null;

    private static XElement TypeElement(string type) => new XElement(Dev + "type", new XElement(Maml + "name", type), new XElement(Maml + "uri"));

    private static XElement ToMaml(Parameter parameter, bool inSyntax)
    {
        var type = parameter.Meta["Type"];
        var isSwitch = type == "SwitchParameter";
        var required = parameter.Meta["Required"].Equals("True", StringComparison.OrdinalIgnoreCase);
        parameter.Meta.TryGetValue("Aliases", out var aliases);
        parameter.Meta.TryGetValue("Accept pipeline input", out var pipeline);
        parameter.Meta.TryGetValue("Accept wildcard characters", out var wildcards);
        parameter.Meta.TryGetValue("Default value", out var defaultValue);
        return new XElement(Command + "parameter",
            new XAttribute("required", required ? "true" : "false"),
            new XAttribute("variableLength", type.EndsWith("[]", StringComparison.Ordinal) ? "true" : "false"),
            new XAttribute("globbing", string.Equals(wildcards, "True", StringComparison.OrdinalIgnoreCase) ? "true" : "false"),
            new XAttribute("pipelineInput", string.IsNullOrEmpty(pipeline) ? "False" : pipeline),
            new XAttribute("position", Position(parameter)?.ToString() ?? "named"),
            new XAttribute("aliases", string.IsNullOrEmpty(aliases) ? "none" : aliases),
            new XElement(Maml + "name", parameter.Name),
            new XElement(Maml + "description", Paras(parameter.Description)),
            isSwitch && inSyntax ? null : new XElement(Command + "parameterValue", new XAttribute("required", isSwitch ? "false" : "true"), new XAttribute("variableLength", "false"), type),
            TypeElement(type),
            new XElement(Dev + "defaultValue", string.IsNullOrEmpty(defaultValue) ? "None" : defaultValue));
    }
}
