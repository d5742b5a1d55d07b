#include "toolcatalog.h"

#include <algorithm>

using namespace Qt::StringLiterals;

namespace Guard {

namespace {

ToolDefinition definitionFrom(const QJsonObject& entry)
{
    // OpenAI nests the function; bare and Anthropic shapes keep the fields at the top.
    const QJsonObject function = entry.value("function"_L1).isObject()
        ? entry.value("function"_L1).toObject()
        : entry;
    ToolDefinition tool;
    tool.name = function.value("name"_L1).toString();
    tool.description = function.value("description"_L1).toString();
    const QJsonValue parameters = function.contains("parameters"_L1)
        ? function.value("parameters"_L1)
        : function.value("input_schema"_L1);
    tool.parameters = parameters.toObject();
    return tool;
}

} // namespace

ToolCatalog ToolCatalog::fromTools(const QJsonArray& tools)
{
    ToolCatalog catalog;
    for (const QJsonValue& entry : tools) {
        if (!entry.isObject())
            continue;
        ToolDefinition tool = definitionFrom(entry.toObject());
        if (tool.name.isEmpty() || catalog.m_indexByName.contains(tool.name))
            continue;
        catalog.m_indexByName.insert(tool.name, catalog.m_tools.size());
        catalog.m_tools.append(std::move(tool));
    }
    return catalog;
}

QStringList ToolCatalog::names() const
{
    QStringList result;
    result.reserve(m_tools.size());
    for (const ToolDefinition& tool : m_tools)
        result.append(tool.name);
    return result;
}

const ToolDefinition* ToolCatalog::find(QStringView name) const
{
    const auto it = m_indexByName.constFind(name.toString());
    return it == m_indexByName.constEnd() ? nullptr : &m_tools.at(*it);
}

const ToolDefinition* ToolCatalog::resolve(QStringView written) const
{
    const QStringView trimmed = written.trimmed();
    if (const ToolDefinition* exact = find(trimmed))
        return exact;
    const QLatin1StringView prefix("functions.");
    if (trimmed.startsWith(prefix))
        return find(trimmed.mid(prefix.size()));
    return nullptr;
}

const ToolDefinition* ToolCatalog::longestNameAt(QStringView text, qsizetype pos) const
{
    const ToolDefinition* best = nullptr;
    const QStringView rest = text.mid(pos);
    for (const ToolDefinition& tool : m_tools) {
        if (rest.startsWith(tool.name) && (!best || tool.name.size() > best->name.size()))
            best = &tool;
    }
    return best;
}

QJsonObject ToolCatalog::resolveRef(const QJsonObject& schema, const QJsonObject& root)
{
    QJsonObject current = schema;
    // A chain of references is followed a few steps at most, so a cycle cannot hang us.
    for (int depth = 0; depth < 8; ++depth) {
        const QString ref = current.value("$ref"_L1).toString();
        if (ref.isEmpty())
            return current;
        QString key;
        QJsonObject defs;
        if (ref.startsWith("#/$defs/"_L1)) {
            key = ref.mid(8);
            defs = root.value("$defs"_L1).toObject();
        } else if (ref.startsWith("#/definitions/"_L1)) {
            key = ref.mid(14);
            defs = root.value("definitions"_L1).toObject();
        } else {
            return current;
        }
        if (!defs.contains(key))
            return current;
        current = defs.value(key).toObject();
    }
    return current;
}

QJsonObject ToolCatalog::propertySchema(const ToolDefinition& tool, QStringView property)
{
    const QJsonObject root = tool.parameters;
    const QJsonObject properties = resolveRef(root, root).value("properties"_L1).toObject();
    const QJsonValue schema = properties.value(property.toString());
    return schema.isObject() ? resolveRef(schema.toObject(), root) : QJsonObject();
}

} // namespace Guard
