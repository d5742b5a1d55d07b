#pragma once

#include "literalparser.h"
#include "toolcatalog.h"

#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QString>
#include <QStringList>
#include <QStringView>

namespace Guard {

// The rule a tool call broke. Keywords without a rule of their own report through the rule of
// the assertion that failed inside them (if/then/else, patternProperties, dependentSchemas...);
// dependentRequired and the array form of "dependencies" report as Required.
enum class Rule {
    UnknownTool,
    ArgumentsNotJson,
    ArgumentsNotObject,
    Required,
    AdditionalProperty,
    Type,
    Enum,
    Const,
    MinItems,
    MaxItems,
    UniqueItems,
    Minimum,
    Maximum,
    ExclusiveMinimum,
    ExclusiveMaximum,
    MultipleOf,
    MinLength,
    MaxLength,
    Pattern,
    MinProperties,
    MaxProperties,
    AnyOf,
    OneOf,
    Not
};

struct ValidationIssue
{
    Rule rule;
    QString pointer; // JSON Pointer into the arguments ("" = the arguments object itself)
    QString path; // the same for people: "arguments.items[2].name"
    QJsonValue received; // the offending value (undefined for a missing property)
    QJsonObject schema; // the schema fragment that was violated
    QString message; // one plain sentence, e.g. "'days' must be an integer, but got the string \"five\""
    QString expected; // plain words for the expected shape, e.g. "an integer from 1 to 7"
};

enum class RepairKind {
    IntegralFloat, // 10.0 where an integer is declared
    NumericString, // "5" where a number or integer is declared
    BooleanString, // "true"/"False" where a boolean is declared
    StringifiedArguments, // the arguments object sent as a JSON string
    WrappedInArray, // x where an array of x is declared
    DroppedNull, // null for an optional property that does not admit null
    StrictJson // arguments text that is JSON only to a lenient reader
};

struct Repair
{
    RepairKind kind;
    QString pointer; // where, in the repaired arguments ("" = the arguments themselves)
    QJsonValue before;
    QJsonValue after; // undefined for a dropped property
    QString description;
};

struct CallValidation
{
    QString toolName; // as written by the model
    bool valid = false; // true when the (repaired) arguments satisfy the schema
    QJsonObject arguments; // the arguments after repairs (empty when they are not an object)
    QList<Repair> repairs; // each repair applied, in order
    QList<ValidationIssue> issues;
    QStringList ignoredKeywords; // schema keywords Temper does not check, for the trace
};

struct ValidatorOptions
{
    bool repair = true;
};

// Checks one tool call against the JSON Schema its tool declared, repairing what is unambiguous.
//
// Contract: pure, never throws, never hangs. The name must be declared (otherwise only
// UnknownTool is reported); the arguments must be a JSON object; then the schema is applied
// (drafts 4 to 2020-12, "integer" accepting whole numbers). A repair is applied only where a
// value fails its schema and the repaired value passes it; in a union (type list, anyOf, oneOf)
// only when exactly one reading becomes valid. The exception is IntegralFloat: 10.0 passes
// "integer", but where `integralFloats` says it was written so it becomes 10 and is recorded.
// Keywords that are not checked, and malformed ones (an invalid pattern, "type": 42), are skipped
// and listed in ignoredKeywords. Recursion and work are bounded and local "$ref" cycles are cut,
// so no schema can break a request (past the bounds, values count as valid).
class SchemaValidator
{
public:
    // A call whose arguments are already a JSON value (rescued from text). `integralFloats`
    // comes from the literal parser.
    static CallValidation validate(const ToolCatalog& tools, const QString& name, const QJsonValue& arguments,
        const QList<WrittenNumber>& integralFloats = {}, const ValidatorOptions& options = {});
    // A native call: `argumentsText` is the raw "arguments" string the backend sent.
    static CallValidation validateArgumentsText(const ToolCatalog& tools, const QString& name,
        QStringView argumentsText, const ValidatorOptions& options = {});
};

// Plain words for what `schema` accepts, e.g. "an integer from 1 to 7", "one of \"c\", \"f\"",
// "a string or null". Local "$ref"s are resolved inside `root` (the schema itself when empty).
QString describeSchema(const QJsonValue& schema, const QJsonObject& root = {});

// A compact, JSON-like picture of what `schema` accepts, for showing a model the arguments it
// should send: {"city": string, "days": integer 1-7 (optional)}. Longer results are cut at
// `maxLength` characters and end with "…".
QString schemaShape(const QJsonValue& schema, const QJsonObject& root = {}, qsizetype maxLength = 600);

// Plain words for a received value: "the string \"five\"", "the number 2.5", "an empty array".
QString describeValue(const QJsonValue& value);

// The rule in a few plain words, e.g. "wrong type", "missing required property".
QString ruleWords(Rule rule);

} // namespace Guard
