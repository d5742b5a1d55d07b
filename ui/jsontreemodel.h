#pragma once

#include <QAbstractItemModel>
#include <QJsonValue>
#include <QString>

#include <memory>
#include <vector>

// A JSON document as a tree of rows, built once (off the main thread for big bodies) and then
// shared read-only with the model that shows it.
//
// Strings that hold a JSON object or array (tool-call "arguments" above all) get the parsed
// value as their children, so the arguments a model sent can be read as a tree too.
class JsonTree
{
public:
    enum class Kind { Object, Array, String, EmbeddedJson, Number, Bool, Null };

    struct Node
    {
        QString key;          // member name, "[3]" for array items, empty for the root
        Kind kind = Kind::Null;
        QString value;        // leaves: the JSON spelling ("text", 10, true, null); containers: a summary
        const Node* parent = nullptr;
        int row = 0;          // index within the parent
        std::vector<std::unique_ptr<Node>> children;
    };

    // The tree of `value` under a root row named `rootName`.
    static std::shared_ptr<const JsonTree> build(const QJsonValue& value, const QString& rootName = QStringLiteral("(root)"));
    // Null when `json` does not parse.
    static std::shared_ptr<const JsonTree> fromJson(const QByteArray& json, const QString& rootName = QStringLiteral("(root)"));

    const Node& root() const { return m_root; }
    int nodeCount() const { return m_nodes; }

private:
    void fill(Node& node, const QJsonValue& value, int depth);

    Node m_root;
    int m_nodes = 0;
};

// Shows a JsonTree: columns Key, Value and Type. The tree is replaced whole (setTree), which
// resets the model; the view keeps no pointers into an old tree.
class JsonTreeModel : public QAbstractItemModel
{
    Q_OBJECT

public:
    enum Column { KeyColumn, ValueColumn, TypeColumn, ColumnCount };
    // The JSON pointer of a row ("/messages/0/content"), for copying.
    enum Role { PointerRole = Qt::UserRole + 1 };

    using QAbstractItemModel::QAbstractItemModel;

    void setTree(std::shared_ptr<const JsonTree> tree);
    const JsonTree* tree() const { return m_tree.get(); }

    QModelIndex index(int row, int column, const QModelIndex& parent = {}) const override;
    QModelIndex parent(const QModelIndex& child) const override;
    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    static QString kindName(JsonTree::Kind kind);

private:
    const JsonTree::Node* node(const QModelIndex& index) const;
    static QString pointerOf(const JsonTree::Node* node);

    std::shared_ptr<const JsonTree> m_tree;
};
