using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using Recsys.Core.Errors;

namespace Recsys.Core.Filters;

/// <summary>Where and why a filter expression failed to parse.</summary>
/// <param name="Position">Zero-based character offset of the offending token.</param>
/// <param name="Token">The offending token as written (<c>end of expression</c> at the end).</param>
/// <param name="Expected">What would have been valid there, or the rule that was broken.</param>
public sealed record FilterSyntaxError(int Position, string Token, string Expected)
{
    /// <summary>The message shown to callers: position, token and what was expected.</summary>
    public string Message => $"Syntax error at offset {Position} near '{Token}': {Expected}";
}

/// <summary>
/// Parses Personalize's filter expression language into a <see cref="FilterExpression"/>:
/// <code>
/// expression := clause ( "|" clause )*
/// clause     := ( INCLUDE | EXCLUDE ) ( ItemID | UserID ) WHERE or [ IF userCond ( AND userCond )* ]
/// or         := and ( OR and )*                    -- AND binds tighter than OR
/// and        := primary ( AND primary )*
/// primary    := "(" or ")" | Dataset "." FIELD ( [NOT] IN list | cmpOp operand )
/// list       := "(" "value" ( "," "value" )* ")" | "(" $PARAM ")" | CurrentItem.FIELD
/// operand    := number | $PARAM | CurrentItem.FIELD
/// userCond   := CurrentUser "." FIELD ( [NOT] IN list | cmpOp operand )
/// </code>
/// Keywords and dataset names are matched ignoring case; parameter names are case-sensitive. Besides syntax, the
/// parser enforces the rules that need no schema: one dataset per clause, <c>Interactions</c> only with
/// <c>EVENT_TYPE</c> and <c>IN</c>/<c>NOT IN</c>, <c>"*"</c> only for event types, no parameter with <c>NOT IN</c>,
/// <c>CurrentItem</c> only in <c>ItemID</c> clauses, and the length, field, parameter and list limits of
/// <see cref="FilterLimits"/>.
/// </summary>
public static class FilterParser
{
    /// <summary>Parses <paramref name="expression"/>.</summary>
    /// <exception cref="InvalidInputException">The expression is invalid; the problem names the offset, the token and what was expected (field <c>filterExpression</c>).</exception>
    public static FilterExpression Parse(string? expression)
        => TryParse(expression, out var parsed, out var error)
            ? parsed
            : throw new InvalidInputException(Field, error.Message);

    /// <summary>Parses <paramref name="expression"/> without throwing.</summary>
    public static bool TryParse(string? expression, [NotNullWhen(true)] out FilterExpression? parsed, [NotNullWhen(false)] out FilterSyntaxError? error)
    {
        parsed = null;
        if (string.IsNullOrWhiteSpace(expression))
        {
            error = new FilterSyntaxError(0, EndToken, "expected INCLUDE or EXCLUDE; the filter expression is empty.");
            return false;
        }

        if (expression.Length > FilterLimits.MaxExpressionLength)
        {
            error = new FilterSyntaxError(FilterLimits.MaxExpressionLength, EndToken,
                $"the expression has {expression.Length} characters; the limit is {FilterLimits.MaxExpressionLength}.");
            return false;
        }

        try
        {
            parsed = new Parser(expression).ParseExpression();
            error = null;
            return true;
        }
        catch (SyntaxException e)
        {
            error = e.Error;
            return false;
        }
    }

    internal const string Field = "filterExpression";
    private const string EndToken = "end of expression";

    private enum TokenKind
    {
        Word,
        String,
        Number,
        Parameter,
        LeftParen,
        RightParen,
        Comma,
        Dot,
        Pipe,
        Operator,
        End,
    }

    private readonly record struct Token(TokenKind Kind, string Text, int Position, string Raw);

    private sealed class SyntaxException(FilterSyntaxError error) : Exception(error.Message)
    {
        public FilterSyntaxError Error { get; } = error;
    }

    private sealed class Parser
    {
        private readonly string _text;
        private readonly List<Token> _tokens;
        private int _next;

        public Parser(string text)
        {
            _text = text;
            _tokens = Tokenize(text);
        }

        private Token Current => _tokens[_next];

        public FilterExpression ParseExpression()
        {
            var clauses = new List<FilterClause> { ParseClause() };
            while (Current.Kind == TokenKind.Pipe)
            {
                _next++;
                clauses.Add(ParseClause());
            }

            if (Current.Kind != TokenKind.End)
            {
                throw Error(Current, "expected '|' and another clause, or the end of the expression.");
            }

            var first = clauses[0];
            var other = clauses.FirstOrDefault(c => c.Target != first.Target);
            if (other is not null)
            {
                throw new SyntaxException(new FilterSyntaxError(other.Position, TokenAt(other.Position),
                    $"every clause must filter the same thing; the first filters {TargetName(first.Target)}, this one {TargetName(other.Target)}."));
            }

            var parsed = new FilterExpression(_text, clauses);
            if (parsed.Fields.Count > FilterLimits.MaxFieldsPerFilter)
            {
                throw new SyntaxException(new FilterSyntaxError(0, TokenAt(0),
                    $"the filter uses {parsed.Fields.Count} distinct dataset fields ({string.Join(", ", parsed.Fields)}); the limit is {FilterLimits.MaxFieldsPerFilter}."));
            }

            if (parsed.Parameters.Count > FilterLimits.MaxParameters)
            {
                throw new SyntaxException(new FilterSyntaxError(0, TokenAt(0),
                    $"the filter has {parsed.Parameters.Count} parameters; the limit is {FilterLimits.MaxParameters}."));
            }

            return parsed;
        }

        private FilterClause ParseClause()
        {
            var start = Current;
            FilterAction action;
            if (IsWord(start, "INCLUDE"))
            {
                action = FilterAction.Include;
            }
            else if (IsWord(start, "EXCLUDE"))
            {
                action = FilterAction.Exclude;
            }
            else
            {
                throw Error(start, "expected INCLUDE or EXCLUDE.");
            }

            _next++;
            var targetToken = Current;
            FilterTarget target;
            if (IsWord(targetToken, "ItemID"))
            {
                target = FilterTarget.Items;
            }
            else if (IsWord(targetToken, "UserID"))
            {
                target = FilterTarget.Users;
            }
            else if (IsWord(targetToken, "ActionID"))
            {
                throw Error(targetToken, "expected ItemID or UserID; Recsys has no Actions datasets.");
            }
            else
            {
                throw Error(targetToken, "expected ItemID or UserID.");
            }

            _next++;
            ExpectWord("WHERE", "expected WHERE.");
            var where = ParseOr(target);
            var comparisons = FilterClause.Flatten(where).ToList();
            var dataset = comparisons[0].Field.Dataset;
            var mixed = comparisons.FirstOrDefault(c => c.Field.Dataset != dataset);
            if (mixed is not null)
            {
                throw Error(mixed.Field.Position,
                    $"conditions joined by AND or OR must use the dataset of the first condition ({dataset}); combine {dataset} and {mixed.Field.Dataset} conditions in separate clauses joined by '|'.");
            }

            var conditions = new List<Comparison>();
            if (IsWord(Current, "IF"))
            {
                _next++;
                conditions.Add(ParseUserCondition());
                while (IsWord(Current, "AND"))
                {
                    _next++;
                    conditions.Add(ParseUserCondition());
                }

                if (IsWord(Current, "OR"))
                {
                    throw Error(Current, "IF conditions can only be joined with AND.");
                }

                if (IsWord(Current, "IF"))
                {
                    throw Error(Current, "IF can appear only once, at the end of a clause.");
                }
            }

            return new FilterClause(action, target, where, conditions, start.Position);
        }

        private FilterCondition ParseOr(FilterTarget target)
        {
            var first = ParseAnd(target);
            if (!IsWord(Current, "OR"))
            {
                return first;
            }

            var terms = new List<FilterCondition> { first };
            while (IsWord(Current, "OR"))
            {
                _next++;
                terms.Add(ParseAnd(target));
            }

            return new OrCondition(terms);
        }

        private FilterCondition ParseAnd(FilterTarget target)
        {
            var first = ParsePrimary(target);
            if (!IsWord(Current, "AND"))
            {
                return first;
            }

            var terms = new List<FilterCondition> { first };
            while (IsWord(Current, "AND"))
            {
                _next++;
                terms.Add(ParsePrimary(target));
            }

            return new AndCondition(terms);
        }

        private FilterCondition ParsePrimary(FilterTarget target)
        {
            if (Current.Kind == TokenKind.LeftParen)
            {
                _next++;
                var inner = ParseOr(target);
                Expect(TokenKind.RightParen, "expected ')' to close the '(' of the condition, or AND / OR.");
                return inner;
            }

            var field = ParseFieldReference("expected a condition: Items.FIELD, Users.FIELD or Interactions.EVENT_TYPE (or '(').");
            switch (field.Dataset)
            {
                case FilterDataset.CurrentUser:
                    throw Error(field.Position, "CurrentUser can only be tested in the IF part at the end of a clause.");
                case FilterDataset.CurrentItem:
                    throw Error(field.Position, "CurrentItem can only be the right-hand side of a condition, e.g. Items.PRICE < CurrentItem.PRICE.");
                case FilterDataset.Users when target == FilterTarget.Items:
                    throw Error(field.Position, "an ItemID clause tests Items or Interactions; test the current user's fields with IF CurrentUser.FIELD.");
                case FilterDataset.Items when target == FilterTarget.Users:
                    throw Error(field.Position, "a UserID clause tests Users or Interactions fields.");
                case FilterDataset.Interactions when !string.Equals(field.Field, "EVENT_TYPE", StringComparison.OrdinalIgnoreCase):
                    throw Error(field.Position, "only Interactions.EVENT_TYPE can be filtered on; other interaction fields cannot.");
            }

            return ParseComparison(field, target);
        }

        private Comparison ParseUserCondition()
        {
            var field = ParseFieldReference("expected CurrentUser.FIELD after IF.");
            if (field.Dataset != FilterDataset.CurrentUser)
            {
                throw Error(field.Position, "IF conditions test CurrentUser.FIELD only.");
            }

            var comparison = ParseComparison(field, FilterTarget.Users);
            if (comparison.Operand is FieldOperand)
            {
                throw Error(comparison.Operand.Position, "IF conditions compare CurrentUser with values or parameters, not with CurrentItem.");
            }

            return comparison;
        }

        private Comparison ParseComparison(FieldReference field, FilterTarget target)
        {
            var token = Current;
            FilterOperator op;
            if (IsWord(token, "IN"))
            {
                op = FilterOperator.In;
                _next++;
            }
            else if (IsWord(token, "NOT"))
            {
                _next++;
                ExpectWord("IN", "expected IN after NOT.");
                op = FilterOperator.NotIn;
            }
            else if (token.Kind == TokenKind.Operator)
            {
                op = token.Text switch
                {
                    "=" => FilterOperator.Equal,
                    "!=" => FilterOperator.NotEqual,
                    "<" => FilterOperator.Less,
                    "<=" => FilterOperator.LessOrEqual,
                    ">" => FilterOperator.Greater,
                    _ => FilterOperator.GreaterOrEqual,
                };
                _next++;
            }
            else
            {
                throw Error(token, "expected IN, NOT IN or a comparison operator (=, !=, <, <=, >, >=).");
            }

            var isInteractions = field.Dataset == FilterDataset.Interactions;
            if (op is FilterOperator.In or FilterOperator.NotIn)
            {
                var list = ParseList(field, target);
                if (op == FilterOperator.NotIn && list is ParameterOperand)
                {
                    throw Error(list.Position, "a parameter cannot be used with NOT IN; use a list of values, or EXCLUDE … IN ($PARAM).");
                }

                return new Comparison(field, op, list);
            }

            if (isInteractions)
            {
                throw Error(token, "Interactions.EVENT_TYPE takes IN or NOT IN only.");
            }

            return new Comparison(field, op, ParseOperand(target));
        }

        private FilterOperand ParseList(FieldReference field, FilterTarget target)
        {
            var open = Current;
            if (open.Kind == TokenKind.Word && IsCurrentItemStart())
            {
                return ParseCurrentItem(target);
            }

            Expect(TokenKind.LeftParen, "expected '(' and a list of quoted values or a $PARAMETER, or CurrentItem.FIELD.");
            if (Current.Kind == TokenKind.Parameter)
            {
                var parameter = new ParameterOperand(Current.Text, Current.Position);
                _next++;
                Expect(TokenKind.RightParen, "expected ')' after the parameter; a parameter stands for the whole list.");
                return parameter;
            }

            if (Current.Kind == TokenKind.Word && IsCurrentItemStart())
            {
                var current = ParseCurrentItem(target);
                Expect(TokenKind.RightParen, "expected ')' after CurrentItem.FIELD.");
                return current;
            }

            var values = new List<string>();
            while (true)
            {
                var value = Current;
                if (value.Kind != TokenKind.String)
                {
                    throw Error(value, values.Count == 0
                        ? "expected a quoted value (\"…\") or a $PARAMETER."
                        : "expected a quoted value (\"…\"); a list holds quoted values only.");
                }

                if (value.Text == "*" && field.Dataset != FilterDataset.Interactions)
                {
                    throw Error(value, "\"*\" (any value) is allowed only with Interactions.EVENT_TYPE.");
                }

                values.Add(value.Text);
                if (values.Count > FilterLimits.MaxValuesPerList)
                {
                    throw Error(value, $"a list holds at most {FilterLimits.MaxValuesPerList} values.");
                }

                _next++;
                if (Current.Kind == TokenKind.Comma)
                {
                    _next++;
                    continue;
                }

                Expect(TokenKind.RightParen, "expected ',' and another value, or ')'.");
                return new ValueListOperand(values, open.Position);
            }
        }

        private FilterOperand ParseOperand(FilterTarget target)
        {
            var token = Current;
            switch (token.Kind)
            {
                case TokenKind.Number:
                    _next++;
                    return new NumberOperand(double.Parse(token.Text, NumberStyles.Float, CultureInfo.InvariantCulture), token.Position);
                case TokenKind.Parameter:
                    _next++;
                    return new ParameterOperand(token.Text, token.Position);
                case TokenKind.Word when IsCurrentItemStart():
                    return ParseCurrentItem(target);
                case TokenKind.String:
                    throw Error(token, "expected a number, a $PARAMETER or CurrentItem.FIELD; comparison operators compare numbers (use IN for strings).");
                default:
                    throw Error(token, "expected a number, a $PARAMETER or CurrentItem.FIELD.");
            }
        }

        private FieldOperand ParseCurrentItem(FilterTarget target)
        {
            var field = ParseFieldReference("expected CurrentItem.FIELD.");
            if (target != FilterTarget.Items)
            {
                throw Error(field.Position, "CurrentItem can only be used in ItemID clauses (related-items recommendations).");
            }

            return new FieldOperand(field);
        }

        private bool IsCurrentItemStart() => IsWord(Current, "CurrentItem");

        private FieldReference ParseFieldReference(string expected)
        {
            var datasetToken = Current;
            if (datasetToken.Kind != TokenKind.Word)
            {
                throw Error(datasetToken, expected);
            }

            FilterDataset dataset;
            if (IsWord(datasetToken, "Items"))
            {
                dataset = FilterDataset.Items;
            }
            else if (IsWord(datasetToken, "Interactions"))
            {
                dataset = FilterDataset.Interactions;
            }
            else if (IsWord(datasetToken, "Users"))
            {
                dataset = FilterDataset.Users;
            }
            else if (IsWord(datasetToken, "CurrentItem"))
            {
                dataset = FilterDataset.CurrentItem;
            }
            else if (IsWord(datasetToken, "CurrentUser"))
            {
                dataset = FilterDataset.CurrentUser;
            }
            else
            {
                throw Error(datasetToken, expected + " Datasets are Items, Interactions, Users, CurrentItem and CurrentUser.");
            }

            _next++;
            Expect(TokenKind.Dot, $"expected '.' and a field name after {datasetToken.Text}.");
            var fieldToken = Current;
            if (fieldToken.Kind != TokenKind.Word)
            {
                throw Error(fieldToken, $"expected a field name after {datasetToken.Text}.");
            }

            _next++;
            return new FieldReference(dataset, fieldToken.Text, datasetToken.Position);
        }

        private void Expect(TokenKind kind, string expected)
        {
            if (Current.Kind != kind)
            {
                throw Error(Current, expected);
            }

            _next++;
        }

        private void ExpectWord(string word, string expected)
        {
            if (!IsWord(Current, word))
            {
                throw Error(Current, expected);
            }

            _next++;
        }

        private static bool IsWord(Token token, string word)
            => token.Kind == TokenKind.Word && string.Equals(token.Text, word, StringComparison.OrdinalIgnoreCase);

        private static SyntaxException Error(Token token, string expected)
            => new(new FilterSyntaxError(token.Position, token.Kind == TokenKind.End ? EndToken : token.Raw, expected));

        private SyntaxException Error(int position, string expected) => new(new FilterSyntaxError(position, TokenAt(position), expected));

        private string TokenAt(int position)
        {
            foreach (var token in _tokens)
            {
                if (token.Position == position)
                {
                    return token.Kind == TokenKind.End ? EndToken : token.Raw;
                }
            }

            return EndToken;
        }

        private static string TargetName(FilterTarget target) => target == FilterTarget.Items ? "ItemID" : "UserID";

        private static List<Token> Tokenize(string text)
        {
            var tokens = new List<Token>();
            var i = 0;
            while (i < text.Length)
            {
                var c = text[i];
                if (char.IsWhiteSpace(c))
                {
                    i++;
                    continue;
                }

                var start = i;
                switch (c)
                {
                    case '(':
                        tokens.Add(new Token(TokenKind.LeftParen, "(", start, "("));
                        i++;
                        continue;
                    case ')':
                        tokens.Add(new Token(TokenKind.RightParen, ")", start, ")"));
                        i++;
                        continue;
                    case ',':
                        tokens.Add(new Token(TokenKind.Comma, ",", start, ","));
                        i++;
                        continue;
                    case '.':
                        tokens.Add(new Token(TokenKind.Dot, ".", start, "."));
                        i++;
                        continue;
                    case '|':
                        tokens.Add(new Token(TokenKind.Pipe, "|", start, "|"));
                        i++;
                        continue;
                    case '=':
                        tokens.Add(new Token(TokenKind.Operator, "=", start, "="));
                        i++;
                        continue;
                    case '!':
                        if (i + 1 < text.Length && text[i + 1] == '=')
                        {
                            tokens.Add(new Token(TokenKind.Operator, "!=", start, "!="));
                            i += 2;
                            continue;
                        }

                        throw Unexpected(text, start, "expected '!=' (a lone '!' is not an operator).");
                    case '<' or '>':
                        var op = i + 1 < text.Length && text[i + 1] == '=' ? c + "=" : c.ToString();
                        tokens.Add(new Token(TokenKind.Operator, op, start, op));
                        i += op.Length;
                        continue;
                    case '"':
                        tokens.Add(ReadString(text, ref i));
                        continue;
                    case '$':
                        i++;
                        while (i < text.Length && IsWordChar(text[i]))
                        {
                            i++;
                        }

                        if (i == start + 1)
                        {
                            throw Unexpected(text, start, "expected a parameter name after '$' (letters, digits and '_').");
                        }

                        tokens.Add(new Token(TokenKind.Parameter, text[(start + 1)..i], start, text[start..i]));
                        continue;
                }

                if (char.IsAsciiDigit(c) || ((c == '-' || c == '+') && i + 1 < text.Length && (char.IsAsciiDigit(text[i + 1]) || text[i + 1] == '.')))
                {
                    i = ReadNumber(text, i);
                    var number = text[start..i];
                    if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
                    {
                        throw Unexpected(text, start, "expected a number.");
                    }

                    tokens.Add(new Token(TokenKind.Number, number, start, number));
                    continue;
                }

                if (IsWordChar(c))
                {
                    while (i < text.Length && IsWordChar(text[i]))
                    {
                        i++;
                    }

                    tokens.Add(new Token(TokenKind.Word, text[start..i], start, text[start..i]));
                    continue;
                }

                throw Unexpected(text, start, "unexpected character.");
            }

            tokens.Add(new Token(TokenKind.End, string.Empty, text.Length, string.Empty));
            return tokens;
        }

        private static Token ReadString(string text, ref int i)
        {
            var start = i;
            var value = new StringBuilder();
            i++;
            while (i < text.Length)
            {
                var c = text[i];
                if (c == '\\' && i + 1 < text.Length && (text[i + 1] == '"' || text[i + 1] == '\\'))
                {
                    value.Append(text[i + 1]);
                    i += 2;
                    continue;
                }

                if (c == '"')
                {
                    i++;
                    return new Token(TokenKind.String, value.ToString(), start, text[start..i]);
                }

                value.Append(c);
                i++;
            }

            throw new SyntaxException(new FilterSyntaxError(start, text[start..Math.Min(text.Length, start + 20)], "unterminated string: expected a closing '\"'."));
        }

        private static int ReadNumber(string text, int i)
        {
            if (text[i] is '-' or '+')
            {
                i++;
            }

            while (i < text.Length && (char.IsAsciiDigit(text[i]) || text[i] == '.'))
            {
                i++;
            }

            if (i < text.Length && text[i] is 'e' or 'E')
            {
                i++;
                if (i < text.Length && text[i] is '-' or '+')
                {
                    i++;
                }

                while (i < text.Length && char.IsAsciiDigit(text[i]))
                {
                    i++;
                }
            }

            return i;
        }

        private static bool IsWordChar(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';

        private static SyntaxException Unexpected(string text, int position, string expected)
            => new(new FilterSyntaxError(position, text[position].ToString(), expected));
    }
}
