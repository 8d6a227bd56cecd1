using DataOpen.Core.Query;
using Microsoft.OData.UriParser;
using Microsoft.OData.UriParser.Aggregation;

namespace DataOpen.Api.OData;

public static partial class ODataTranslator
{
    /// <summary>
    /// The node kinds of ODataLib's <see cref="QueryNodeVisitor{T}"/> that the engine has no translation for, each
    /// refused with a 400 naming the query option. ODataLib's own base methods throw NotImplementedException, which
    /// would be a 500; every one is overridden here or in ODataTranslator.cs, and a test checks that none is left to the
    /// base class when ODataLib grows a kind.
    /// </summary>
    private sealed partial class ExprVisitor
    {
        public override Expr Visit(CollectionNavigationNode nodeIn) => throw Unsupported(nodeIn);
        public override Expr Visit(CollectionPropertyAccessNode nodeIn) => throw Unsupported(nodeIn);
        public override Expr Visit(CollectionOpenPropertyAccessNode nodeIn) => throw Unsupported(nodeIn);
        public override Expr Visit(CollectionConstantNode nodeIn) => throw Unsupported(nodeIn);
        public override Expr Visit(CollectionResourceCastNode nodeIn) => throw Unsupported(nodeIn);
        public override Expr Visit(NonResourceRangeVariableReferenceNode nodeIn) => throw Unsupported(nodeIn);
        public override Expr Visit(SingleResourceCastNode nodeIn) => throw Unsupported(nodeIn);
        public override Expr Visit(SingleNavigationNode nodeIn) => throw Unsupported(nodeIn);
        public override Expr Visit(SingleResourceFunctionCallNode nodeIn) => throw Unsupported(nodeIn);
        public override Expr Visit(CollectionResourceFunctionCallNode nodeIn) => throw Unsupported(nodeIn);
        public override Expr Visit(CollectionFunctionCallNode nodeIn) => throw Unsupported(nodeIn);
        public override Expr Visit(NamedFunctionParameterNode nodeIn) => throw Unsupported(nodeIn);
        public override Expr Visit(SearchTermNode nodeIn) => throw Unsupported(nodeIn);
        public override Expr Visit(SingleComplexNode nodeIn) => throw Unsupported(nodeIn);
        public override Expr Visit(CollectionComplexNode nodeIn) => throw Unsupported(nodeIn);
        public override Expr Visit(AggregatedCollectionPropertyNode nodeIn) => throw Unsupported(nodeIn);
        public override Expr Visit(RootPathNode nodeIn) => throw Unsupported(nodeIn);
        public override Expr Visit(CustomQueryOptionNode nodeIn) => throw Unsupported(nodeIn);
    }
}
