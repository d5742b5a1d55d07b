#include "detailpages.h"

#include "detailpane.h"
#include "retriespage.h"
#include "tracejsonpage.h"

#include <QJsonDocument>
#include <QLabel>
#include <QMessageBox>

using namespace Qt::StringLiterals;

void addDetailPages(DetailPane* pane)
{
    pane->addPage(new TraceJsonPage);
    pane->addPage(new RetriesPage);
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
    const QJsonDocument document = QJsonDocument::fromJson(exchange.clientResponse.body);
    return document.isNull() ? QString::fromUtf8(exchange.clientResponse.body) : QString::fromUtf8(document.toJson(QJsonDocument::Indented));
}
