#pragma once

#include "trace/exchange.h"

#include <QString>

class DetailPane;
class QWidget;

namespace Proxy {
class ProxyService;
}
namespace Trace {
class TraceStore;
}

// Where the window's parts are put together, so that MainWindow does not depend on each page's
// and dialog's header: the detail tabs in order, the dialogs and tool windows.
void addDetailPages(DetailPane* pane);
void showSettingsDialog(Proxy::ProxyService* proxy, QWidget* parent);
// The format lab judges answers with the proxy's own retry limit and rescue/repair switches.
QWidget* createFormatLab(Proxy::ProxyService* proxy, QWidget* parent);
QWidget* createStatisticsWindow(Trace::TraceStore* store, QWidget* parent);

// The client's answer as JSON: the body as received, or for a stream the reassembled message.
QString responseJson(const Trace::Exchange& exchange);
