#pragma once

#include <QHash>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

namespace Guard {

// One function a client declared in its request's `tools` array.
struct ToolDefinition
{
    QString name;
    QString description;
    QJsonObject parameters; // the declared JSON Schema; empty when the client gave none
};

// The tools a request declared, looked up by the names a model writes.
//
// Only names in the catalog may ever become tool calls; every rescue parser and the validator
// ask the catalog. Lookups are exact (case-sensitive), with one tolerance: a "functions."
// prefix (Kimi ids, harmony recipients) is stripped when the plain name is declared.
class ToolCatalog
{
public:
    ToolCatalog() = default;

    // Accepts OpenAI entries ({"type":"function","function":{name,description,parameters}}),
    // bare {name, parameters} objects and Anthropic-style {name, input_schema}. Entries without
    // a usable name are skipped; a repeated name keeps its first definition.
    static ToolCatalog fromTools(const QJsonArray& tools);

    bool isEmpty() const { return m_tools.isEmpty(); }
    qsizetype size() const { return m_tools.size(); }
    const QList<ToolDefinition>& tools() const { return m_tools; }
    QStringList names() const;

    const ToolDefinition* find(QStringView name) const;
    const ToolDefinition* resolve(QStringView written) const;

    // The longest declared name that occurs in `text` at `pos`, so that `say_hello_world` is not
    // mistaken for `say_hello`. Does not check what follows the name.
    const ToolDefinition* longestNameAt(QStringView text, qsizetype pos) const;

    // The schema of one top-level argument of a tool, with a local "$ref" resolved. Empty when
    // the tool does not declare that property.
    static QJsonObject propertySchema(const ToolDefinition& tool, QStringView property);

    // Follows a "$ref": "#/$defs/X" (or "#/definitions/X") inside `root`. Returns `schema`
    // unchanged when it holds no local reference.
    static QJsonObject resolveRef(const QJsonObject& schema, const QJsonObject& root);

private:
    QList<ToolDefinition> m_tools;
    QHash<QString, qsizetype> m_indexByName;
};

} // namespace Guard
