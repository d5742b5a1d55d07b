#pragma once

// Every piece of text a widget tree shows a person: labels, line edits (text, placeholder),
// text views, buttons, tab titles, tooltips, window titles and the data of every item view's
// model. For tests that check what the window says, and that it never says an API key.

#include <QAbstractButton>
#include <QAbstractItemView>
#include <QAction>
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QTabWidget>
#include <QTextEdit>

#include <functional>

inline QString widgetText(const QWidget* root)
{
    QStringList texts;
    QList<const QWidget*> widgets { root };
    for (const QWidget* child : root->findChildren<QWidget*>())
        widgets.append(child);
    for (const QWidget* widget : std::as_const(widgets)) {
        texts.append(widget->toolTip());
        texts.append(widget->windowTitle());
        if (const auto* label = qobject_cast<const QLabel*>(widget))
            texts.append(label->text());
        else if (const auto* edit = qobject_cast<const QLineEdit*>(widget))
            texts.append(edit->text() + u'\n' + edit->placeholderText());
        else if (const auto* text = qobject_cast<const QTextEdit*>(widget))
            texts.append(text->toPlainText());
        else if (const auto* plain = qobject_cast<const QPlainTextEdit*>(widget))
            texts.append(plain->toPlainText());
        else if (const auto* button = qobject_cast<const QAbstractButton*>(widget))
            texts.append(button->text());
        else if (const auto* tabs = qobject_cast<const QTabWidget*>(widget)) {
            for (int i = 0; i < tabs->count(); ++i)
                texts.append(tabs->tabText(i) + u' ' + tabs->tabToolTip(i));
        } else if (const auto* combo = qobject_cast<const QComboBox*>(widget)) {
            for (int i = 0; i < combo->count(); ++i)
                texts.append(combo->itemText(i));
        }
        if (const auto* view = qobject_cast<const QAbstractItemView*>(widget); view && view->model()) {
            const QAbstractItemModel* model = view->model();
            std::function<void(const QModelIndex&)> walk = [&](const QModelIndex& parent) {
                for (int row = 0; row < model->rowCount(parent); ++row) {
                    for (int column = 0; column < model->columnCount(parent); ++column) {
                        const QModelIndex index = model->index(row, column, parent);
                        texts.append(index.data().toString() + u' ' + index.data(Qt::ToolTipRole).toString());
                    }
                    walk(model->index(row, 0, parent));
                }
            };
            walk({});
        }
    }
    for (const QObject* object : root->findChildren<QAction*>())
        texts.append(static_cast<const QAction*>(object)->text() + u' ' + static_cast<const QAction*>(object)->toolTip());
    texts.removeAll(QString());
    return texts.join(u'\n');
}
