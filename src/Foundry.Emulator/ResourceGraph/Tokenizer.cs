namespace Foundry.Emulator.ResourceGraph;

/// <summary>Splits KQL into names, quoted strings, numbers and symbols, remembering each token's position.</summary>
internal static class Tokenizer
{
    public enum Kind { Ident, String, Number, Symbol }

    public sealed record Token(Kind Kind, string Text, int Position);

    private static readonly string[] Symbols = { "!in~", "!in", "==", "=~", "!=", "!~", "|", "(", ")", "[", "]", ",", ".", "=" };

    public static List<Token> Tokenize(string text)
    {
        var tokens = new List<Token>();
        var i = 0;
        while (i < text.Length)
        {
            var ch = text[i];
            if (char.IsWhiteSpace(ch))
            {
                i++;
                continue;
            }
            if (ch is '\'' or '"')
            {
                var start = i++;
                var value = new System.Text.StringBuilder();
                while (i < text.Length && text[i] != ch)
                {
                    if (text[i] == '\\' && i + 1 < text.Length) i++;
                    value.Append(text[i++]);
                }
                if (i >= text.Length) throw new KqlParseException("Unterminated string.", start, text[start..]);
                i++;
                tokens.Add(new Token(Kind.String, value.ToString(), start));
                continue;
            }
            if (char.IsDigit(ch))
            {
                var start = i;
                while (i < text.Length && (char.IsDigit(text[i]) || text[i] == '.')) i++;
                tokens.Add(new Token(Kind.Number, text[start..i], start));
                continue;
            }
            if (char.IsLetter(ch) || ch == '_' || ch == '$')
            {
                var start = i;
                while (i < text.Length && (char.IsLetterOrDigit(text[i]) || text[i] is '_' or '$')) i++;
                // in~ is a word followed by a tilde.
                if (i < text.Length && text[i] == '~' && text[start..i].Equals("in", StringComparison.OrdinalIgnoreCase)) i++;
                tokens.Add(new Token(Kind.Ident, text[start..i], start));
                continue;
            }
            var symbol = Symbols.FirstOrDefault(s => string.CompareOrdinal(text, i, s, 0, s.Length) == 0);
            if (symbol is null) throw new KqlParseException($"Unexpected character '{ch}'.", i, ch.ToString());
            tokens.Add(new Token(Kind.Symbol, symbol, i));
            i += symbol.Length;
        }
        return tokens;
    }
}
