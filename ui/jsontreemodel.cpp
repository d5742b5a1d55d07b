#include "jsontreemodel.h"

#include "guard/jsontext.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <optional>

using namespace Qt::StringLiterals;

namespace {

// Deeper than any real request; a hostile body nested a million levels must not recurse that far.
constexpr int kMaxDepth = 256;
// Long strings are cut in the Value column (the tooltip has the whole text).
constexpr qsizetype kShownValueLength = 300;

// How the value is written in JSON. (Parsed numbers lose their spelling: 10.0 reads as 10 here;
// the Raw tab has the exact bytes.)
QString spelling(const QJsonValue& value)
{
    switch (value.type()) {
    case QJsonValue::String:
    case QJsonValue::Double:
        return Guard::jsonText(value);
    case QJsonValue::Bool:
        return value.toBool() ? u"true"_s : u"false"_s;
    default:
        return u"null"_s;
    }
}

QString containerSummary(JsonTree::Kind kind, qsizetype count)
{
    if (kind == JsonTree::Kind::Array)
        return count == 1 ? u"[1 item]"_s : u"[%1 items]"_s.arg(count);
    return count == 1 ? u"{1 member}"_s : u"{%1 members}"_s.arg(count);
}

// A string that holds a whole JSON object or array, as tool-call arguments do.
std::optional<QJsonDocument> embeddedDocument(const QString& text)
{
    const QStringView trimmed = QStringView(text).trimmed();
    if (trimmed.size() < 2 || !((trimmed.front() == u'{' && trimmed.back() == u'}') || (trimmed.front() == u'[' && trimmed.back() == u']')))
        return std::nullopt;
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(text.toUtf8(), &error);
    if (error.error != QJsonParseError::NoError)
        return std::nullopt;
    return document;
}

} // namespace

std::shared_ptr<const JsonTree> JsonTree::build(const QJsonValue& value, const QString& rootName)
{
    auto tree = std::make_shared<JsonTree>();
    tree->m_root.key = rootName;
    tree->fill(tree->m_root, value, 0);
    return tree;
}

std::shared_ptr<const JsonTree> JsonTree::fromJson(const QByteArray& json, const QString& rootName)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError)
        return nullptr;
    return build(document.isArray() ? QJsonValue(document.array()) : QJsonValue(document.object()), rootName);
}

void JsonTree::fill(Node& node, const QJsonValue& value, int depth)
{
    ++m_nodes;
    auto addChild = [&node](const QString& key) -> Node& {
        auto child = std::make_unique<Node>();
        child->key = key;
        child->parent = &node;
        child->row = int(node.children.size());
        node.children.push_back(std::move(child));
        return *node.children.back();
    };
    if (value.isObject() || value.isArray()) {
        node.kind = value.isObject() ? Kind::Object : Kind::Array;
        const qsizetype count = value.isObject() ? value.toObject().size() : value.toArray().size();
        node.value = containerSummary(node.kind, count);
        if (depth >= kMaxDepth) {
            node.value += u" (too deep to show)"_s;
            return;
        }
        if (value.isObject()) {
            const QJsonObject object = value.toObject();
            for (auto it = object.begin(); it != object.end(); ++it)
                fill(addChild(it.key()), it.value(), depth + 1);
        } else {
            const QJsonArray array = value.toArray();
            for (qsizetype i = 0; i < array.size(); ++i)
                fill(addChild(u"[%1]"_s.arg(i)), array.at(i), depth + 1);
        }
        return;
    }
    node.value = spelling(value);
    switch (value.type()) {
    case QJsonValue::String:
        node.kind = Kind::String;
        if (depth < kMaxDepth) {
            if (const auto embedded = embeddedDocument(value.toString())) {
                node.kind = Kind::EmbeddedJson;
                const QJsonValue inner = embedded->isArray() ? QJsonValue(embedded->array()) : QJsonValue(embedded->object());
                Node& parsed = addChild(u"(parsed)"_s);
                fill(parsed, inner, depth + 1);
            }
        }
        break;
    case QJsonValue::Double:
        node.kind = Kind::Number;
        break;
    case QJsonValue::Bool:
        node.kind = Kind::Bool;
        break;
    default:
        node.kind = Kind::Null;
        break;
    }
}

void JsonTreeModel::setTree(std::shared_ptr<const JsonTree> tree)
{
    beginResetModel();
    m_tree = std::move(tree);
    endResetModel();
}

const JsonTree::Node* JsonTreeModel::node(const QModelIndex& index) const
{
    return index.isValid() ? static_cast<const JsonTree::Node*>(index.internalPointer()) : nullptr;
}

QModelIndex JsonTreeModel::index(int row, int column, const QModelIndex& parent) const
{
    if (!m_tree || row < 0 || column < 0 || column >= ColumnCount)
        return {};
    if (!parent.isValid())
        return row == 0 ? createIndex(0, column, const_cast<JsonTree::Node*>(&m_tree->root())) : QModelIndex();
    const JsonTree::Node* owner = node(parent);
    if (!owner || row >= int(owner->children.size()))
        return {};
    return createIndex(row, column, owner->children[size_t(row)].get());
}

QModelIndex JsonTreeModel::parent(const QModelIndex& child) const
{
    const JsonTree::Node* item = node(child);
    if (!item || !item->parent)
        return {};
    return createIndex(item->parent->row, 0, const_cast<JsonTree::Node*>(item->parent));
}

int JsonTreeModel::rowCount(const QModelIndex& parent) const
{
    if (!m_tree)
        return 0;
    if (!parent.isValid())
        return 1;
    if (parent.column() != 0)
        return 0;
    return int(node(parent)->children.size());
}

int JsonTreeModel::columnCount(const QModelIndex&) const
{
    return ColumnCount;
}

QString JsonTreeModel::kindName(JsonTree::Kind kind)
{
    switch (kind) {
    case JsonTree::Kind::Object: return tr("object");
    case JsonTree::Kind::Array: return tr("array");
    case JsonTree::Kind::String: return tr("string");
    case JsonTree::Kind::EmbeddedJson: return tr("string (JSON)");
    case JsonTree::Kind::Number: return tr("number");
    case JsonTree::Kind::Bool: return tr("boolean");
    case JsonTree::Kind::Null: return tr("null");
    }
    return {};
}

QString JsonTreeModel::pointerOf(const JsonTree::Node* item)
{
    QStringList parts;
    for (; item && item->parent; item = item->parent) {
        if (item->key == u"(parsed)"_s)
            continue; // the parsed value of a string is the string's own place
        QString key = item->key;
        if (item->parent->kind == JsonTree::Kind::Array)
            key = QString::number(item->row);
        parts.prepend(key.replace(u'~', u"~0"_s).replace(u'/', u"~1"_s));
    }
    return parts.isEmpty() ? QString() : u"/"_s + parts.join(u'/');
}

QVariant JsonTreeModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid))
        return {};
    const JsonTree::Node* item = node(index);
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case KeyColumn: return item->key;
        case ValueColumn: return item->value.size() > kShownValueLength ? item->value.left(kShownValueLength) + u'…' : item->value;
        case TypeColumn: return kindName(item->kind);
        }
        return {};
    case Qt::ToolTipRole:
        if (index.column() == ValueColumn && item->value.size() > kShownValueLength)
            return item->value.left(20000);
        return pointerOf(item);
    case PointerRole:
        return pointerOf(item);
    default:
        return {};
    }
}

QVariant JsonTreeModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case KeyColumn: return tr("Key");
    case ValueColumn: return tr("Value");
    case TypeColumn: return tr("Type");
    }
    return {};
}
