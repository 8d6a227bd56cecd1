using System.Text;

namespace DataOpen.Core.Query.Rest;

public sealed partial class FilterExpressionParser
{
    private Token Next()
    {
        while (position < text.Length && char.IsWhiteSpace(text[position]))
        {
            position++;
        }

        var start = position;
        if (position >= text.Length)
        {
            return new Token(TokenKind.End, "", start, 0);
        }

        var ch = text[position];
        switch (ch)
        {
            case '(': position++; return new Token(TokenKind.LeftParen, "(", start, 1);
            case ')': position++; return new Token(TokenKind.RightParen, ")", start, 1);
            case ',': position++; return new Token(TokenKind.Comma, ",", start, 1);
            case '-': position++; return new Token(TokenKind.Minus, "-", start, 1);
            case '\'': return ReadString(start);
        }

        if (char.IsAsciiDigit(ch) || (ch == '.' && position + 1 < text.Length && char.IsAsciiDigit(text[position + 1])))
        {
            return ReadNumberOrDate(start);
        }

        if (char.IsAsciiLetter(ch) || ch == '_')
        {
            while (position < text.Length && (char.IsAsciiLetterOrDigit(text[position]) || text[position] == '_'))
            {
                position++;
            }

            return new Token(TokenKind.Name, text[start..position], start, position - start);
        }

        var hint = ch is '"' or '\u2018' or '\u2019' or '\uFF07' or '`' ? " (text values use straight single quotes: 'value')" : "";
        throw new QueryException(QueryErrorCodes.BadSyntax, $"Unexpected character '{ch}' at position {start}{hint}.", target, start);
    }

    private Token ReadString(int start)
    {
        var sb = new StringBuilder();
        position++;
        while (true)
        {
            if (position >= text.Length)
            {
                throw new QueryException(QueryErrorCodes.BadSyntax, $"Expected a closing quote for the text starting at position {start}, found the end of the filter.", target, start);
            }

            var ch = text[position++];
            if (ch == '\'')
            {
                if (position < text.Length && text[position] == '\'')
                {
                    sb.Append('\'');
                    position++;
                    continue;
                }

                return new Token(TokenKind.String, sb.ToString(), start, position - start);
            }

            sb.Append(ch);
        }
    }

    private Token ReadNumberOrDate(int start)
    {
        // A date or timestamp starts with four digits and '-': 2024-01-01, 2024-01-01T08:00:00+08:00.
        if (position + 10 <= text.Length && Literals.TryParseDate(text.Substring(position, 10), out _)
            && (position + 10 == text.Length || !char.IsAsciiDigit(text[position + 10])))
        {
            position += 10;
            if (position < text.Length && text[position] == 'T')
            {
                while (position < text.Length && (char.IsAsciiLetterOrDigit(text[position]) || text[position] is ':' or '.' or '+' or '-'))
                {
                    position++;
                }

                return new Token(TokenKind.Timestamp, text[start..position], start, position - start);
            }

            return new Token(TokenKind.Date, text[start..position], start, 10);
        }

        while (position < text.Length && (char.IsAsciiDigit(text[position]) || text[position] == '.'))
        {
            position++;
        }

        if (position < text.Length && text[position] is 'e' or 'E')
        {
            position++;
            if (position < text.Length && text[position] is '+' or '-')
            {
                position++;
            }

            while (position < text.Length && char.IsAsciiDigit(text[position]))
            {
                position++;
            }
        }

        if (position < text.Length && (char.IsAsciiLetter(text[position]) || text[position] == '_'))
        {
            throw new QueryException(QueryErrorCodes.BadSyntax, $"Expected a number at position {start}, found '{ExprCompiler.Shorten(text[start..(position + 1)])}'.", target, start);
        }

        return new Token(TokenKind.Number, text[start..position], start, position - start);
    }

    private readonly record struct Token(TokenKind Kind, string Text, int Position, int Length);
}
