#include "detailpages.h"

#include "detailpane.h"
#include "guard/streamguard.h"
#include "messagepages.h"
#include "overviewpage.h"
#include "rescuepage.h"
#include "tracejsonpage.h"

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
    pane->addPage(new ComparePage);
    pane->addPage(new TraceJsonPage);
}

void showSettingsDialog(Proxy::ProxyService*, QWidget* parent)
{
    QMessageBox::information(parent, QObject::tr("Backend settings"), QObject::tr("Settings are not available yet."));
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
    QJsonDocument document = QJsonDocument::fromJson(exchange.clientResponse.body);
    if (!exchange.clientResponse.events.isEmpty()) {
        QList<QByteArray> data;
        for (const Trace::StreamEvent& event : exchange.clientResponse.events)
            data.append(event.data);
        document = QJsonDocument(Guard::completionFromEvents(data));
    }
    return document.isNull() ? QString::fromUtf8(exchange.clientResponse.body) : QString::fromUtf8(document.toJson(QJsonDocument::Indented));
}
