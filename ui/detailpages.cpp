#include "detailpages.h"

#include "detailpane.h"
#include "settingsdialog.h"
#include "tracejsonpage.h"

#include <QCoreApplication>
#include <QJsonDocument>
#include <QLabel>
#include <QMessageBox>

using namespace Qt::StringLiterals;

void addDetailPages(DetailPane* pane)
{
    pane->addPage(new TraceJsonPage);
}

void showSettingsDialog(Proxy::ProxyService* proxy, QWidget* parent)
{
    // One dialog at a time: the action raises the open one.
    if (auto* open = parent ? parent->findChild<SettingsDialog*>(QString(), Qt::FindDirectChildrenOnly) : nullptr) {
        open->raise();
        open->activateWindow();
        return;
    }
    auto* dialog = new SettingsDialog(proxy, parent);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setCommandLine(Config::parseCommandLine(QCoreApplication::arguments(), QProcessEnvironment::systemEnvironment()));
    dialog->open();
}

QWidget* createFormatLab(QWidget* parent)
{
    auto* label = new QLabel(QObject::tr("The format lab is not available yet."), parent, Qt::Window);
    return label;
}

QWidget* createStatisticsWindow(Trace::TraceStore*, QWidget* parent)
{
    auto* label = new QLabel(QObject::tr("Statistics are not available yet."), parent, Qt::Window);
    return label;
}

QString responseJson(const Trace::Exchange& exchange)
{
    const QJsonDocument document = QJsonDocument::fromJson(exchange.clientResponse.body);
    return document.isNull() ? QString::fromUtf8(exchange.clientResponse.body) : QString::fromUtf8(document.toJson(QJsonDocument::Indented));
}
