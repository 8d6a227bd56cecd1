namespace DataOpen.Core.Query;

/// <summary>
/// Walks a tree without recursion before anything else touches it, so that a 10,000-level tree
/// built by any door becomes a too_complex error instead of a stack overflow in the compiler.
/// </summary>
internal static class Complexity
{
    public static void Check(Expr root, QueryLimits limits, string part)
    {
        var stack = new Stack<(Expr Node, int Depth)>();
        stack.Push((root, 1));
        var nodes = 0;
        while (stack.Count > 0)
        {
            var (node, depth) = stack.Pop();
            if (depth > limits.MaxDepth)
            {
                throw new QueryException(QueryErrorCodes.TooComplex, $"The {part} is nested more than {limits.MaxDepth} levels deep.", part);
            }

            if (++nodes > limits.MaxNodes)
            {
                throw new QueryException(QueryErrorCodes.TooComplex, $"The {part} has more than {limits.MaxNodes} parts.", part);
            }

            if (node is InExpr { Values.Count: var count } && count > limits.MaxInList)
            {
                throw new QueryException(QueryErrorCodes.TooComplex, $"An 'in' list has {count} values; at most {limits.MaxInList} are allowed.", part);
            }

            foreach (var child in Children(node))
            {
                stack.Push((child, depth + 1));
            }
        }
    }

    private static IEnumerable<Expr> Children(Expr node) => node switch
    {
        Comparison c => [c.Left, c.Right],
        AndExpr a => a.Operands,
        OrExpr o => o.Operands,
        NotExpr n => [n.Operand],
        InExpr i => [i.Operand],
        IsNullExpr n => [n.Operand],
        FunctionCall f => f.Arguments,
        Arithmetic a => [a.Left, a.Right],
        Negate n => [n.Operand],
        _ => [],
    };
}
