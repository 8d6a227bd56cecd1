using System.Globalization;

namespace DataOpen.Core.Query.Rest;

/// <summary>
/// Recursive-descent parser of the <c>filter=</c> expression language (OData-like; see FILTER-SYNTAX.md).
/// <code>
/// or      := and ('or' and)*
/// and     := not ('and' not)*
/// not     := 'not' not | compare
/// compare := sum (('eq'|'ne'|'gt'|'ge'|'lt'|'le') sum | 'in' '(' literal (',' literal)* ')')?
/// sum     := product (('add'|'sub') product)*
/// product := unary (('mul'|'div'|'mod') unary)*
/// unary   := '-' unary | primary
/// primary := literal | name '(' args? ')' | name | '(' or ')'
/// </code>
/// Keywords are case-insensitive. Nesting deeper than <see cref="QueryLimits.MaxDepth"/> is rejected
/// (too_complex) before it can exhaust the stack.
/// </summary>
public sealed partial class FilterExpressionParser
{
    private static readonly Dictionary<string, ComparisonOperator> ComparisonKeywords =
        Operators.Comparisons.Values.ToDictionary(c => c.Key, c => c.Operator, StringComparer.OrdinalIgnoreCase);

    private readonly string text;
    private readonly QueryLimits limits;
    private readonly string target;
    private Token current;
    private int position;
    private int depth;

    private FilterExpressionParser(string text, QueryLimits limits, string target)
    {
        this.text = text;
        this.limits = limits;
        this.target = target;
        current = Next();
    }

    private enum TokenKind
    {
        End,
        Name,
        String,
        Number,
        Date,
        Timestamp,
        LeftParen,
        RightParen,
        Comma,
        Minus,
    }

    /// <summary>Parses a whole filter expression; <paramref name="target"/> names the request parameter in errors.</summary>
    public static Expr Parse(string text, QueryLimits? limits = null, string target = "filter")
    {
        limits ??= QueryLimits.Default;
        if (text.Length > limits.MaxFilterLength)
        {
            throw new QueryException(QueryErrorCodes.TooComplex, $"The filter is {text.Length} characters long; at most {limits.MaxFilterLength} are allowed.", target);
        }

        var parser = new FilterExpressionParser(text, limits, target);
        if (parser.current.Kind == TokenKind.End)
        {
            throw parser.Syntax("a condition", parser.current);
        }

        var expr = parser.ParseOr();
        if (parser.current.Kind != TokenKind.End)
        {
            throw parser.Syntax("'and', 'or' or the end of the filter", parser.current);
        }

        return expr;
    }

    private Expr ParseOr()
    {
        var operands = new List<Expr> { ParseAnd() };
        while (IsKeyword("or"))
        {
            Advance();
            operands.Add(ParseAnd());
        }

        return operands.Count == 1 ? operands[0] : new OrExpr(operands);
    }

    private Expr ParseAnd()
    {
        var operands = new List<Expr> { ParseNot() };
        while (IsKeyword("and"))
        {
            Advance();
            operands.Add(ParseNot());
        }

        return operands.Count == 1 ? operands[0] : new AndExpr(operands);
    }

    private Expr ParseNot()
    {
        if (!IsKeyword("not"))
        {
            return ParseCompare();
        }

        Advance();
        Enter();
        var operand = ParseNot();
        depth--;
        return new NotExpr(operand);
    }

    private Expr ParseCompare()
    {
        var left = ParseSum();
        if (current.Kind == TokenKind.Name && ComparisonKeywords.TryGetValue(current.Text, out var op))
        {
            Advance();
            return new Comparison(op, left, ParseSum());
        }

        if (!IsKeyword("in"))
        {
            return left;
        }

        Advance();
        Expect(TokenKind.LeftParen, "'(' after 'in'");
        var values = new List<Constant>();
        do
        {
            if (values.Count >= limits.MaxInList)
            {
                throw new QueryException(QueryErrorCodes.TooComplex, $"An 'in' list may hold at most {limits.MaxInList} values.", target, current.Position);
            }

            var negative = current.Kind == TokenKind.Minus;
            if (negative)
            {
                Advance();
            }

            values.Add(Literal(negative) ?? throw Syntax("a literal value in the 'in' list", current));
        }
        while (Accept(TokenKind.Comma));
        Expect(TokenKind.RightParen, "',' or ')' to close the 'in' list");
        return new InExpr(left, values);
    }

    private Expr ParseSum()
    {
        var left = ParseProduct();
        while (current.Kind == TokenKind.Name && current.Text.ToLowerInvariant() is "add" or "sub")
        {
            var op = current.Text.Equals("add", StringComparison.OrdinalIgnoreCase) ? ArithmeticOperator.Add : ArithmeticOperator.Sub;
            Advance();
            left = new Arithmetic(op, left, ParseProduct());
        }

        return left;
    }

    private Expr ParseProduct()
    {
        var left = ParseUnary();
        while (current.Kind == TokenKind.Name && current.Text.ToLowerInvariant() is "mul" or "div" or "mod")
        {
            var op = current.Text.ToLowerInvariant() switch
            {
                "mul" => ArithmeticOperator.Mul,
                "div" => ArithmeticOperator.Div,
                _ => ArithmeticOperator.Mod,
            };
            Advance();
            left = new Arithmetic(op, left, ParseUnary());
        }

        return left;
    }

    private Expr ParseUnary()
    {
        if (current.Kind != TokenKind.Minus)
        {
            return ParsePrimary();
        }

        Advance();
        if (Literal(negative: true) is { } literal)
        {
            return literal;
        }

        Enter();
        var operand = ParseUnary();
        depth--;
        return new Negate(operand);
    }

    private Expr ParsePrimary()
    {
        if (Literal(negative: false) is { } literal)
        {
            return literal;
        }

        var token = current;
        if (Accept(TokenKind.LeftParen))
        {
            Enter();
            var inner = ParseOr();
            depth--;
            Expect(TokenKind.RightParen, "')'");
            return inner;
        }

        if (token.Kind != TokenKind.Name)
        {
            throw Syntax("a field name, a value, a function or '('", token);
        }

        Advance();
        if (!Accept(TokenKind.LeftParen))
        {
            return new FieldRef(token.Text);
        }

        Enter();
        var args = new List<Expr>();
        if (!Accept(TokenKind.RightParen))
        {
            do
            {
                args.Add(ParseOr());
            }
            while (Accept(TokenKind.Comma));
            Expect(TokenKind.RightParen, "',' or ')' to close the arguments of " + ExprCompiler.Shorten(token.Text));
        }

        depth--;
        var name = token.Text.ToLowerInvariant();
        if (!Operators.Functions.ContainsKey(name))
        {
            var matches = Names.CloseMatches(token.Text, Operators.Functions.Keys);
            throw new QueryException(QueryErrorCodes.UnknownFunction, $"Unknown function '{ExprCompiler.Shorten(token.Text)}' at position {token.Position}.{Names.DidYouMean(matches)}", target, token.Position, matches);
        }

        return new FunctionCall(name, args);
    }

    /// <summary>Consumes a literal token, or returns null when the current token is not one.</summary>
    private Constant? Literal(bool negative)
    {
        var token = current;
        var sign = negative ? "-" : "";
        Constant? value = token.Kind switch
        {
            TokenKind.String when !negative => Constant.From(token.Text),
            TokenKind.Date when !negative => Constant.From(DateOnly.ParseExact(token.Text, "yyyy-MM-dd", CultureInfo.InvariantCulture)),
            TokenKind.Timestamp when !negative => Literals.TryParseTimestamp(token.Text, out var t) ? Constant.From(t) : throw Syntax("a valid timestamp", token),
            TokenKind.Number => Number(sign + token.Text, token),
            TokenKind.Name when !negative && token.Text.ToLowerInvariant() is "true" or "false" => Constant.From(token.Text.Equals("true", StringComparison.OrdinalIgnoreCase)),
            TokenKind.Name when !negative && token.Text.Equals("null", StringComparison.OrdinalIgnoreCase) => Constant.Null,
            _ => null,
        };

        if (value is not null)
        {
            Advance();
        }

        return value;
    }

    private Constant Number(string text, Token token)
    {
        if (text.Contains('e', StringComparison.OrdinalIgnoreCase))
        {
            return Literals.TryParseDouble(text, out var d) ? Constant.From(d) : throw Syntax("a number in range", token);
        }

        if (!text.Contains('.', StringComparison.Ordinal) && Literals.TryParseInteger(text, out var l))
        {
            return Constant.From(l);
        }

        return Literals.TryParseDecimal(text, out var m) ? Constant.From(m) : throw Syntax("a number in range", token);
    }

    private void Enter()
    {
        if (++depth > limits.MaxDepth)
        {
            throw new QueryException(QueryErrorCodes.TooComplex, $"The filter is nested more than {limits.MaxDepth} levels deep (position {current.Position}).", target, current.Position);
        }
    }

    private bool IsKeyword(string keyword) => current.Kind == TokenKind.Name && current.Text.Equals(keyword, StringComparison.OrdinalIgnoreCase);

    private bool Accept(TokenKind kind)
    {
        if (current.Kind != kind)
        {
            return false;
        }

        Advance();
        return true;
    }

    private void Expect(TokenKind kind, string what)
    {
        if (!Accept(kind))
        {
            throw Syntax(what, current);
        }
    }

    private void Advance() => current = Next();

    private QueryException Syntax(string expected, Token found)
    {
        var what = found.Kind == TokenKind.End ? "the end of the filter" : $"'{ExprCompiler.Shorten(text.Substring(found.Position, Math.Max(1, found.Length)))}'";
        return new QueryException(QueryErrorCodes.BadSyntax, $"Expected {expected} at position {found.Position}, found {what}.", target, found.Position);
    }
}
