#pragma once

#include "trace/exchange.h"

#include <QWidget>

// One tab of the detail pane: shows one aspect of the selected exchange.
//
// Contract: showExchange() receives a copy taken on the main thread and may be called again and
// again while a streamed exchange grows (the detail pane calls it at most a few times a second);
// pages keep what the user was looking at (scroll position, expanded items, sub-tab) when the
// same exchange is shown again. Heavy formatting (pretty-printing bodies of several MB) runs off
// the main thread (AsyncJob). clearExchange() empties the page. Pages never touch the store.
class ExchangePage : public QWidget
{
    Q_OBJECT

public:
    using QWidget::QWidget;

    virtual QString title() const = 0; // the tab's label
    virtual void showExchange(const Trace::Exchange& exchange) = 0;
    virtual void clearExchange() = 0;
};
