#include "detailpages.h"

#include "detailpane.h"
#include "formatlab.h"
#include "guard/streamguard.h"
#include "messagepages.h"
#include "overviewpage.h"
#include "proxy/proxyservice.h"
#include "rescuepage.h"
#include "retriespage.h"
#include "settingsdialog.h"
#include "statisticswindow.h"
#include "tracejsonpage.h"

#include <QCoreApplication>
#include <QJsonDocument>
#include <QLabel>
#include <QMessageBox>

using namespace Qt::StringLiterals;

void addDetailPages(DetailPane* pane)
{
    // The order people read an exchange in: what happened, what was asked and answered, what the
    // guard did, then the two sides and the whole record. Ctrl+1..7 follow this order.
    pane->addPage(new OverviewPage);
    pane->addPage(new RequestPage);
    pane->addPage(new ResponsePage);
    pane->addPage(new RescuePage);
    pane->addPage(new RetriesPage);
    pane->addPage(new ComparePage);
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

QWidget* createFormatLab(Proxy::ProxyService* proxy, QWidget* parent)
{
    auto* lab = new FormatLab(parent);
    lab->setGuardSettings(proxy->settings().guard);
    QObject::connect(proxy, &Proxy::ProxyService::settingsChanged, lab,
                     [lab](const Config::Settings& settings) { lab->setGuardSettings(settings.guard); });
    return lab;
}

QWidget* createStatisticsWindow(Trace::TraceStore* store, QWidget* parent)
{
    return new StatisticsWindow(store, parent);
}

QString responseJson(const Trace::Exchange& exchange)
{
    QJsonDocument document = QJsonDocument::fromJson(exchange.clientResponse.body);
    if (!exchange.clientResponse.events.isEmpty()) {
        QList<QByteArray> data;
        for (const Trace::StreamEvent& event : exchange.clientResponse.events)
            data.append(event.data);
        document = QJsonDocument(Guard::completionFromEvents(data));
    }
    return document.isNull() ? QString::fromUtf8(exchange.clientResponse.body) : QString::fromUtf8(document.toJson(QJsonDocument::Indented));
}
