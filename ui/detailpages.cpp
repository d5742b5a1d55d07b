#include "detailpages.h"

#include "detailpane.h"
#include "formatlab.h"
#include "statisticswindow.h"
#include "tracejsonpage.h"

#include <QJsonDocument>
#include <QLabel>
#include <QMessageBox>

using namespace Qt::StringLiterals;

void addDetailPages(DetailPane* pane)
{
    pane->addPage(new TraceJsonPage);
}

void showSettingsDialog(Proxy::ProxyService*, QWidget* parent)
{
    QMessageBox::information(parent, QObject::tr("Backend settings"), QObject::tr("Settings are not available yet."));
}

QWidget* createFormatLab(QWidget* parent)
{
    return new FormatLab(parent);
}

QWidget* createStatisticsWindow(Trace::TraceStore* store, QWidget* parent)
{
    return new StatisticsWindow(store, parent);
}

QString responseJson(const Trace::Exchange& exchange)
{
    const QJsonDocument document = QJsonDocument::fromJson(exchange.clientResponse.body);
    return document.isNull() ? QString::fromUtf8(exchange.clientResponse.body) : QString::fromUtf8(document.toJson(QJsonDocument::Indented));
}
