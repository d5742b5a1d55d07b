#pragma once

#include <QJsonObject>
#include <QJsonValue>
#include <QStringList>
#include <QStringView>

namespace Guard {

// The JSON types a schema admits ("string", "integer", "number", "boolean", "object", "array",
// "null"), gathered from "type" (a name or a list), OpenAPI's "nullable", the values of "enum"
// and "const", and every branch of "anyOf"/"oneOf". Local "$ref"s are followed inside `root`.
// Empty when the schema says nothing about types.
QStringList admittedTypes(const QJsonObject& schema, const QJsonObject& root = {});

// Gives the text of one XML-style argument (Qwen3-Coder <parameter=k>, GLM <arg_value>, MiniMax
// <parameter name="k">, ...) the JSON type its schema declares: "42" becomes 42 for an integer,
// "true" a boolean, "null" null where null is allowed, JSON text an object or array where one is
// declared. Types other than string are tried first, so in a string|object union '{"a": 1}'
// becomes an object while "2 dollars" stays text. Where only a string is declared the text is
// kept exactly, quotes and all ('"foo"' stays '"foo"'). Without a schema the text stays a string.
// Text that fits none of the declared types is returned as a string for the validator to report.
QJsonValue typeArgumentText(QStringView text, const QJsonObject& schema, const QJsonObject& root = {});

} // namespace Guard
